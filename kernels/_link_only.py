"""Compile a helper for linking only: no module optimisation, no machine code of its own.

Why. A helper (``_config.helper``) is never called from Python: its LLVM module is only
linked into the caller's module, and the caller's module is optimised as a whole and turned
into machine code. Numba nevertheless *finalises* every function it compiles: it runs the
full module optimisation on the helper's module (with everything the helper links in) and
generates its machine code, then does it all again in the helper's caller, and again in the
caller's caller. With a call tree four or five deep (training loop -> step -> backward ->
output loss -> sigmoid segment), most of the first fit's compile time was this repeated work.
Measured with numba 0.68.1 on a 2-core Xeon (AVX-512), empty cache, in a fresh process:
the first ``DeepNetwork`` fit took 12.3 s before, the first scikit-learn adapter fit 13.8 s
(figures and command in ``benchmarks/fits.py``'s ``cold_start``; after: see there).

What. :data:`PIPELINE` is a Numba compiler pipeline (``njit(pipeline_class=...)``) whose
lowering puts the helper in a :class:`LinkOnlyLibrary`: a code library whose finalisation
keeps the module as the function-level passes left it (Numba runs those on every module as it
is added) and adds nothing to the execution engine. The caller links that module in and
optimises it with its own code, once, exactly as it optimised the helper's optimised copy
before: the machine code of the entries is bit-identical (checked: every test of the suite,
the cached entries' results, the benchmarks' step times).

Limits. Only for helpers: functions that are never called from Python, that hold no
``parallel=True`` region (a parfor's gufunc is a library of its own, called through a
pointer), and whose environment (``NumbaEnv``) is never read (they box no Python object).
A Python call of a helper goes to its ordinary twin (see ``_config._Helper``).
The pipeline leans on three internals of Numba's CPU code library
(``_optimize_final_module``, ``_finalize_final_module`` and the ``codegen`` property that
``get_executable`` uses to set the environment). :data:`PIPELINE` is ``None`` (helpers compile
as before) when the installed Numba does not have them in the shape checked here.
"""

from numba.core import codegen as _codegen

try:
    from numba.core.compiler import CompilerBase, DefaultPassBuilder
    from numba.core.compiler_machinery import register_pass
    from numba.core.typed_passes import NativeLowering
except ImportError:  # pragma: no cover - another Numba: helpers compile the ordinary way
    CompilerBase = None

_NEEDED = ("_optimize_final_module", "_finalize_final_module", "_finalize_dynamic_globals",
           "_verify_declare_only_symbols", "_get_module_for_linking", "codegen")
_SUPPORTED = CompilerBase is not None and all(hasattr(getattr(_codegen, "JITCodeLibrary", None), name)
                                              for name in _NEEDED)


class _EnvlessCodegen:
    """The library's codegen as ``get_executable`` sees it: setting the environment of a
    function with no machine code in the engine is skipped (its global does not exist
    there); everything else is the real codegen's."""

    def __init__(self, real):
        self._real = real

    def set_env(self, env_name, env):
        pass

    def __getattr__(self, name):
        return getattr(self._real, name)


if _SUPPORTED:

    class LinkOnlyLibrary(_codegen.JITCodeLibrary):
        """A code library whose module is only ever linked into other libraries."""

        def _optimize_final_module(self):
            # Optimised in every caller, after linking, with the caller's code.
            pass

        def _finalize_final_module(self):
            self._finalize_dynamic_globals()
            self._verify_declare_only_symbols()
            self._finalized = True  # no engine module, no machine code

        def get_pointer_to_function(self, name):
            return 0  # nothing is callable from Python

        @property
        def codegen(self):
            return _EnvlessCodegen(self._codegen)

    @register_pass(mutates_CFG=True, analysis_only=False)
    class LinkOnlyLowering(NativeLowering):
        """Numba's native lowering, into a :class:`LinkOnlyLibrary`."""

        _name = "fastnn_link_only_lowering"

        def run_pass(self, state):
            if state.library is None:
                state.library = LinkOnlyLibrary(state.targetctx.codegen(), state.func_id.func_qualname)
            return NativeLowering.run_pass(self, state)

    class LinkOnlyCompiler(CompilerBase):
        """Numba's nopython pipeline with :class:`LinkOnlyLowering` for its lowering."""

        def define_pipelines(self):
            pm = DefaultPassBuilder.define_nopython_pipeline(self.state)
            pm.passes[:] = [(LinkOnlyLowering, "lowering into a link-only library") if cls is NativeLowering
                            else (cls, what) for cls, what in pm.passes]
            pm.finalize()
            return [pm]

    #: The pipeline class for helpers, or None (see the module notes).
    PIPELINE = LinkOnlyCompiler
else:  # pragma: no cover
    PIPELINE = None
