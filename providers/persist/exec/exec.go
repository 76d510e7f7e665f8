// Package exec publishes dns-persist-01 records by running an external
// program, with the calling convention and environment variables of lego's
// exec DNS provider:
//
//	$EXEC_PATH present <fqdn> <value>   # add value to the TXT set at fqdn
//	$EXEC_PATH cleanup <fqdn> <value>   # remove exactly that value
//
// fqdn is the record name with a trailing dot
// ("_validation-persist.example.com.") and value the whole record value
// ("ca.example; accounturi=https://ca.example/acct/1"), one argument each,
// never passed through a shell. A script written for lego's exec provider
// works unchanged, with one difference it must respect: a dns-persist-01
// record is added next to the other values at that name, never in place of
// them (other CAs and accounts keep their own records).
package exec

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	osexec "os/exec"
	"strings"
	"time"

	"github.com/go-acme/lego/v4/platform/config/env"
)

// Environment variable names, lego's. Each may also be given as NAME_FILE
// (the value read from that file).
const (
	envNamespace = "EXEC_"

	EnvPath = envNamespace + "PATH"
	EnvMode = envNamespace + "MODE"

	// EnvPropagationTimeout and EnvPollingInterval are read for
	// compatibility with lego env files and otherwise ignored: the solver
	// checks propagation itself (see persist.WithPropagationTimeout).
	EnvPropagationTimeout = envNamespace + "PROPAGATION_TIMEOUT"
	EnvPollingInterval    = envNamespace + "POLLING_INTERVAL"
)

// ModeRaw is lego's EXEC_MODE=RAW. It passes the dns-01 domain, token and
// key authorization, which dns-persist-01 does not have, so it is refused.
const ModeRaw = "RAW"

// Output limits: how much of the program's output is kept, and how much of
// it an error quotes.
const (
	maxOutput      = 64 << 10
	maxErrorOutput = 1024
)

// DefaultWaitDelay bounds how long a cancelled or finished program's
// children may keep its output open before the run is abandoned.
const DefaultWaitDelay = 5 * time.Second

// Config configures a DNSProvider.
type Config struct {
	// Program is the path of the program to run (EXEC_PATH). A name
	// without a slash is looked up in PATH.
	Program string

	// Mode is EXEC_MODE. Empty is lego's default mode; "RAW" is refused
	// (see ModeRaw).
	Mode string

	// PropagationTimeout and PollingInterval hold EXEC_PROPAGATION_TIMEOUT
	// and EXEC_POLLING_INTERVAL for callers that want them; the provider
	// does not use them.
	PropagationTimeout time.Duration
	PollingInterval    time.Duration
}

// NewDefaultConfig returns a Config with EXEC_MODE,
// EXEC_PROPAGATION_TIMEOUT and EXEC_POLLING_INTERVAL read from the
// environment. Program is left empty.
func NewDefaultConfig() *Config {
	return &Config{
		Mode:               env.GetOrFile(EnvMode),
		PropagationTimeout: env.GetOrDefaultSecond(EnvPropagationTimeout, 0),
		PollingInterval:    env.GetOrDefaultSecond(EnvPollingInterval, 0),
	}
}

// DNSProvider runs the configured program. It is safe for concurrent use;
// each call runs the program once.
type DNSProvider struct {
	program string
}

// NewDNSProvider returns a DNSProvider running the program named by EXEC_PATH
// (required).
func NewDNSProvider() (*DNSProvider, error) {
	values, err := env.Get(EnvPath)
	if err != nil {
		return nil, fmt.Errorf("exec: %w", err)
	}

	cfg := NewDefaultConfig()
	cfg.Program = values[EnvPath]

	return NewDNSProviderConfig(cfg)
}

// NewDNSProviderConfig checks cfg and returns a DNSProvider. The program must
// exist and be executable now, so a typo fails before any order is placed.
func NewDNSProviderConfig(cfg *Config) (*DNSProvider, error) {
	if cfg == nil {
		return nil, errors.New("exec: the configuration is nil")
	}

	switch strings.ToUpper(cfg.Mode) {
	case "":
	case ModeRaw:
		return nil, fmt.Errorf("exec: %s=%s is not supported: dns-persist-01 has no token or key authorization to pass; "+
			"unset %s and read <fqdn> <value> from the arguments instead", EnvMode, cfg.Mode, EnvMode)
	default:
		return nil, fmt.Errorf("exec: unknown %s %q: leave it unset", EnvMode, cfg.Mode)
	}

	if cfg.Program == "" {
		return nil, fmt.Errorf("exec: no program configured: set %s", EnvPath)
	}

	program, err := osexec.LookPath(cfg.Program)
	if err != nil {
		return nil, fmt.Errorf("exec: %s=%s: %w", EnvPath, cfg.Program, err)
	}

	return &DNSProvider{program: program}, nil
}

// Publish runs `program present <fqdn> <value>` and returns nil when it exits
// with status 0. Cancelling ctx kills the program.
func (d *DNSProvider) Publish(ctx context.Context, fqdn, value string) error {
	return d.run(ctx, "present", fqdn, value)
}

// Unpublish runs `program cleanup <fqdn> <value>` and returns nil when it
// exits with status 0. Cancelling ctx kills the program.
func (d *DNSProvider) Unpublish(ctx context.Context, fqdn, value string) error {
	return d.run(ctx, "cleanup", fqdn, value)
}

// String names the provider and its program.
func (d *DNSProvider) String() string {
	return "exec(" + d.program + ")"
}

func (d *DNSProvider) run(ctx context.Context, action, fqdn, value string) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("exec: %s %s: %w", action, fqdn, err)
	}

	cmd := osexec.CommandContext(ctx, d.program, action, fqdn, value)
	cmd.Stdin = nil // reads see EOF: there is nobody to answer

	out := &limitedBuffer{max: maxOutput}
	cmd.Stdout = out
	cmd.Stderr = out
	cmd.WaitDelay = DefaultWaitDelay

	err := cmd.Run()
	if err == nil {
		return nil
	}

	detail := quote(out)

	var exitErr *osexec.ExitError

	switch {
	case ctx.Err() != nil:
		return fmt.Errorf("exec: %s %s: %s stopped: %w%s", action, fqdn, d.program, ctx.Err(), detail)
	case errors.As(err, &exitErr):
		msg := fmt.Sprintf("exec: %s %s: %s %s%s", action, fqdn, d.program, exitStatus(exitErr), detail)
		return &runError{msg: msg, err: err}
	default:
		return fmt.Errorf("exec: %s %s: run %s: %w%s", action, fqdn, d.program, err, detail)
	}
}

// runError carries a failed run's one-line description and wraps the
// *os/exec.ExitError, for callers that want the exit code.
type runError struct {
	msg string
	err error
}

func (e *runError) Error() string { return e.msg }
func (e *runError) Unwrap() error { return e.err }

// exitStatus describes how the program ended ("exited with status 3",
// "ended abnormally (signal: killed)").
func exitStatus(err *osexec.ExitError) string {
	if code := err.ExitCode(); code >= 0 {
		return fmt.Sprintf("exited with status %d", code)
	}

	return "ended abnormally (" + err.String() + ")"
}

// quote renders the program's output for an error: trimmed, on one line,
// at most maxErrorOutput bytes. Empty output renders as nothing.
func quote(b *limitedBuffer) string {
	s := strings.TrimSpace(b.buf.String())
	if s == "" {
		return ""
	}

	s = strings.Join(strings.Fields(s), " ")

	truncated := b.dropped > 0
	if len(s) > maxErrorOutput {
		s, truncated = s[:maxErrorOutput], true
	}

	if truncated {
		s += " …"
	}

	return "; output: " + s
}

// limitedBuffer keeps the first max bytes written to it and counts the rest,
// so a chatty program cannot make us hold unbounded output.
type limitedBuffer struct {
	buf     bytes.Buffer
	max     int
	dropped int
}

func (b *limitedBuffer) Write(p []byte) (int, error) {
	room := b.max - b.buf.Len()
	if room >= len(p) {
		return b.buf.Write(p)
	}

	if room > 0 {
		b.buf.Write(p[:room])
	}

	b.dropped += len(p) - max(room, 0)

	return len(p), nil
}
