from _anystub import make as _m; import sys; sys.modules[__name__] = _m(__name__)
