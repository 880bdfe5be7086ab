# Generic stub: any attribute is a dummy callable/class. Only for import-time needs of
# detectron2/fvcore/iopath modules unused by inference (fixtures generation).
import types, sys
class _Dummy:
    def __init__(self, *a, **k): pass
    def __call__(self, *a, **k): return _Dummy()
    def __getattr__(self, n): return _Dummy()
def make(name):
    m = types.ModuleType(name)
    m.__getattr__ = lambda n: _Dummy
    m.__path__ = []
    return m
