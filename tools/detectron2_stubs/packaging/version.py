from pip._vendor.packaging.version import *  # noqa
from pip._vendor.packaging.version import Version, parse, InvalidVersion  # noqa
