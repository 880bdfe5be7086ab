# re-export pip's vendored 'packaging' (the real one is not installed)
from pip._vendor.packaging import version, specifiers, requirements, markers, utils  # noqa
