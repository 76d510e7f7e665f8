// Package e2etest is the shared harness of the end-to-end tests under e2e/,
// one version of each helper they used to copy:
//
//   - account.go: a lego user and client, an account registered at the bed's
//     CA (or a proxy in front of it), Obtain;
//   - publisher.go: the rfc2136 publisher for the bed's BIND and a
//     CountingPublisher around any publisher;
//   - dns.go: names in the bed's zone, the loopback-only solver options, the
//     zone's serial, TXT values and UPDATE count;
//   - cli.go: binaries built once per test binary (Main) and run as child
//     processes with the bed's environment (Exec, Harness);
//   - cert.go: the certificate and key a CLI run stored;
//   - proxy.go and draft.go: a proxy in front of Pebble, and the draft-02
//     rewrite and hashed accounturi.
//
// Helpers that take a testing.TB fail the test on an unexpected error; the
// ones without (NewClient, Register, NewRFC2136) return it, for e2e/demo,
// which is not a test. Nothing here talks to anything but the bed on
// loopback.
package e2etest
