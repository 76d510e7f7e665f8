package bed

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"sync/atomic"
	"time"
)

// stopTimeout is how long a child gets to exit after SIGTERM before the
// whole process group is killed.
const stopTimeout = 5 * time.Second

// process is one child server (named or pebble) running in its own process
// group with stdout and stderr appended to a log file.
type process struct {
	name    string
	logPath string
	cmd     *exec.Cmd

	done     chan struct{} // closed once the child has been reaped
	waitErr  error         // valid after done is closed
	stopping atomic.Bool
}

// startProcess starts bin with args in dir. The child leads a new process
// group and, on Linux, dies with the test process.
func startProcess(name, logPath, dir string, env []string, bin string, args ...string) (*process, error) {
	logFile, err := os.OpenFile(logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return nil, fmt.Errorf("%s: log file: %w", name, err)
	}
	defer logFile.Close() // the child keeps its own descriptor

	cmd := exec.Command(bin, args...)
	cmd.Dir = dir
	cmd.Env = env
	cmd.Stdout = logFile
	cmd.Stderr = logFile
	cmd.SysProcAttr = processGroup()

	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("%s: start %s: %w", name, bin, err)
	}

	p := &process{name: name, logPath: logPath, cmd: cmd, done: make(chan struct{})}

	go func() {
		p.waitErr = cmd.Wait()
		close(p.done)
	}()

	return p, nil
}

// exited reports whether the child is gone.
func (p *process) exited() bool {
	select {
	case <-p.done:
		return true
	default:
		return false
	}
}

// errExited marks a server that exited without being asked to.
var errExited = errors.New("exited unexpectedly")

// exitError describes an exit that nobody asked for, with the log's tail.
func (p *process) exitError() error {
	status := p.waitErr
	if status == nil {
		status = errors.New("exit status 0")
	}

	return fmt.Errorf("%s %w (%w); last lines of %s:\n%s", p.name, errExited, status, p.logPath, tail(p.logPath, 20))
}

// stop terminates the process group (SIGTERM, then SIGKILL after
// stopTimeout) and waits until the child is reaped and no member of its
// group is left. It reports an error if the child had already died on its
// own before stop was called.
func (p *process) stop() error {
	if p.exited() && !p.stopping.Load() {
		_ = killGroup(p.cmd.Process.Pid) // anything the child left behind
		return p.exitError()
	}

	p.stopping.Store(true)
	pid := p.cmd.Process.Pid

	if err := terminateGroup(pid); err != nil {
		return fmt.Errorf("%s: SIGTERM to process group %d: %w", p.name, pid, err)
	}

	escalated := false

	select {
	case <-p.done:
	case <-time.After(stopTimeout):
		escalated = true

		if err := killGroup(pid); err != nil {
			return fmt.Errorf("%s: SIGKILL to process group %d: %w", p.name, pid, err)
		}
		<-p.done
	}

	// The leader is reaped; make sure no other member of its group lingers.
	if groupAlive(pid) {
		_ = killGroup(pid)
	}

	// After SIGTERM a server exits cleanly or by that signal. Anything else
	// means it had died on its own before (a crash, or killed by someone
	// else) and we only noticed now.
	if !escalated && !endedBy(p.waitErr, "terminated") {
		return p.exitError()
	}

	return nil
}

// endedBy reports whether a Wait error is a clean exit or death by the
// named signal ("terminated" for SIGTERM, as os.ProcessState words it).
func endedBy(err error, signal string) bool {
	if err == nil {
		return true
	}

	var exitErr *exec.ExitError

	return errors.As(err, &exitErr) && strings.Contains(exitErr.String(), "signal: "+signal)
}

// tail returns the last n lines of the file at path, or a note why it
// cannot.
func tail(path string, n int) string {
	data, err := os.ReadFile(path)
	if err != nil {
		return "(" + err.Error() + ")"
	}

	lines := strings.Split(strings.TrimRight(string(data), "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}

	return "  " + strings.Join(lines, "\n  ")
}

// completeLines returns the newline-terminated lines of the file at path
// (a line still being written is left out). A missing file has no lines.
func completeLines(path string) ([]string, error) {
	data, err := os.ReadFile(path)
	if os.IsNotExist(err) {
		return nil, nil
	}

	if err != nil {
		return nil, err
	}

	end := bytes.LastIndexByte(data, '\n')
	if end < 0 {
		return nil, nil
	}

	return strings.Split(string(data[:end]), "\n"), nil
}
