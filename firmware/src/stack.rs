//! Stack painting: fill the unused stack with a pattern, run, then find the lowest word
//! that no longer holds it. cortex-m-rt's `link.x` puts the stack at the top of RAM
//! (`_stack_start`) growing down towards the end of `.bss` (`__sheap`).

/// What an untouched stack word holds.
const PAINT: u32 = 0xC0DE_CAFE;

extern "C" {
    /// The top of the stack (one past its highest word), from cortex-m-rt.
    static _stack_start: u32;
    /// The end of `.bss` and `.uninit`: the stack may grow down to here.
    static __sheap: u32;
}

fn stack_top() -> usize {
    // Taking the address of an extern static is safe; it is never read.
    core::ptr::addr_of!(_stack_start) as usize
}

fn stack_bottom() -> usize {
    core::ptr::addr_of!(__sheap) as usize
}

/// The address one past the top of the stack.
pub(crate) fn reserved_top() -> usize {
    stack_top()
}

/// The bytes between the end of `.bss` and the top of RAM.
pub(crate) fn reserved() -> usize {
    stack_top() - stack_bottom()
}

/// Paints every word from the end of `.bss` up to the current stack pointer.
///
/// The loop is assembly because it compares against SP itself: a Rust loop bounded by
/// an SP read in the prologue would paint over the frame the function pushes after it.
#[inline(always)]
pub(crate) fn paint() {
    // The stack grows down towards `__sheap` and no interrupt is enabled meanwhile, so
    // the words below SP hold no live value; the loop touches no stack (`nostack`).
    // SAFETY: aligned word writes from `__sheap` (4-aligned) up to, not including, SP.
    unsafe {
        core::arch::asm!(
            "2:",
            "cmp {p}, sp",
            "bhs 3f",
            "str {v}, [{p}], #4",
            "b 2b",
            "3:",
            p = inout(reg) stack_bottom() => _,
            v = in(reg) PAINT,
            options(nostack),
        );
    }
}

/// The deepest stack use since the last [`paint`], in bytes below `_stack_start`.
#[inline(never)]
pub(crate) fn deepest() -> usize {
    let mut p = stack_bottom() as *const u32;
    let top = stack_top();
    while (p as usize) < top {
        // SAFETY: `p` is 4-aligned and inside RAM (between `__sheap` and
        // `_stack_start`); a volatile read of a plain word has no other precondition.
        if unsafe { p.read_volatile() } != PAINT {
            break;
        }
        p = p.wrapping_add(1);
    }
    top - p as usize
}
