package bed

import "syscall"

// setParentDeathSignal asks the kernel to kill the child if the test process
// dies without calling Close (a panic, a timeout, SIGKILL), so that no named
// or pebble outlives the run.
func setParentDeathSignal(attr *syscall.SysProcAttr) {
	attr.Pdeathsig = syscall.SIGKILL
}
