// Package faults holds the reliability and security tests of the
// dns-persist-01 library path (issue 7): bad input from the CA, from DNS and
// from the caller; DNS faults through an in-process front server; CA faults
// through a fault-injecting proxy in front of Pebble; goroutine leaks. Every
// test runs against a real Pebble and BIND 9 on loopback (e2e/bed) and
// asserts what was written to DNS, not just the returned error.
//
// The package has no non-test code besides this comment.
package faults
