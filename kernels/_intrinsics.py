"""Intrinsics: array views built directly, a read-only retyping, a prefetch hint.

Numba's general ``reshape`` calls a C helper and carries error paths: about 34 ns a view,
which adds up in a small network's step (thirty views a step of the course's [2,10,5,1]
net). :func:`view2` and :func:`flat` build the view's array structure directly, sharing
the buffer's memory and reference count, with no checks (kernels take valid shapes).
:func:`readonly` types an array read-only, so that a function compiles once for the
caller's read-only data and for work buffers. :func:`prefetch` is LLVM's ``llvm.prefetch``:
a hint, no effect on any value.
"""

import llvmlite.ir as llir
from numba.core import cgutils
from numba.core import types as nbtypes
from numba.core.imputils import impl_ret_borrowed
from numba.extending import intrinsic
from numba.np.arrayobj import make_array, populate_array


@intrinsic
def view2(typingctx, buf, start, n, b):
    """``buf[start:start + n * b].reshape((n, b))`` of a C-contiguous 1-D ``buf``, built
    directly (a view: no copy, no checks)."""
    if not (isinstance(buf, nbtypes.Array) and buf.ndim == 1 and buf.layout == "C"):
        return None

    def codegen(context, builder, sig, args):
        src = make_array(sig.args[0])(context, builder, args[0])
        out = make_array(sig.return_type)(context, builder)
        first, rows, cols = (context.cast(builder, v, t, nbtypes.intp) for v, t in zip(args[1:], sig.args[1:]))
        populate_array(out, data=builder.gep(src.data, [first]), shape=[rows, cols],
                       strides=[builder.mul(cols, src.itemsize), src.itemsize], itemsize=src.itemsize,
                       meminfo=src.meminfo, parent=src.parent)
        return impl_ret_borrowed(context, builder, sig.return_type, out._getvalue())

    return buf.copy(ndim=2, layout="C")(buf, start, n, b), codegen


@intrinsic
def flat(typingctx, arr):
    """A C-contiguous 2-D array as 1-D (``arr.reshape(arr.size)``, built directly)."""
    if not (isinstance(arr, nbtypes.Array) and arr.ndim == 2 and arr.layout == "C"):
        return None

    def codegen(context, builder, sig, args):
        src = make_array(sig.args[0])(context, builder, args[0])
        out = make_array(sig.return_type)(context, builder)
        populate_array(out, data=src.data, shape=[src.nitems], strides=[src.itemsize], itemsize=src.itemsize,
                       meminfo=src.meminfo, parent=src.parent)
        return impl_ret_borrowed(context, builder, sig.return_type, out._getvalue())

    return arr.copy(ndim=1, layout="C")(arr), codegen


@intrinsic
def readonly(typingctx, arr):
    """The array ``arr`` typed read-only (the same array, no copy): operands that are read
    only get one array type, so that a product (and all it calls) compiles once for them,
    whether they come from the caller's read-only ``X`` or from a work buffer."""
    sig = arr.copy(readonly=True)(arr)

    def codegen(context, builder, signature, args):
        return impl_ret_borrowed(context, builder, signature.return_type, args[0])

    return sig, codegen


@intrinsic
def prefetch(typingctx, arr, i, j):
    """A hint that ``arr[i, j]`` will be read soon (LLVM's ``llvm.prefetch``: read, keep in
    all cache levels). No effect on any value; no bounds check (the caller's indices are in
    range)."""
    if not (isinstance(arr, nbtypes.Array) and arr.ndim == 2):
        return None

    def codegen(context, builder, sig, args):
        aryty = sig.args[0]
        ary = context.make_array(aryty)(context, builder, args[0])
        ptr = cgutils.get_item_pointer(context, builder, aryty, ary, [args[1], args[2]], wraparound=False)
        i8p = llir.IntType(8).as_pointer()
        i32 = llir.IntType(32)
        fnty = llir.FunctionType(llir.VoidType(), [i8p, i32, i32, i32])
        fn = builder.module.declare_intrinsic("llvm.prefetch", [i8p], fnty)
        builder.call(fn, [builder.bitcast(ptr, i8p), i32(0), i32(3), i32(1)])
        return context.get_dummy_value()

    return nbtypes.void(arr, nbtypes.intp, nbtypes.intp), codegen
