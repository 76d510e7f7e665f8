// Package storage reads and writes lego v4's --path layout, byte for byte as
// lego v4.35.2 does, so that lego and lego-persist can take turns on the
// same folder:
//
//	<path>/accounts/<server host[_port]>/<email>/account.json
//	<path>/accounts/<server host[_port]>/<email>/keys/<email>.key
//	<path>/certificates/<domain>.crt|.key|.issuer.crt|.json[|.pem]
//
// Unlike lego it returns every error instead of exiting, writes every file
// atomically (a reader never sees half a certificate), keeps files 0600 and
// folders 0700, and offers a lock (see Lock) so that two processes on one
// folder do not interleave their writes.
package storage

// Store is a --path folder.
type Store struct {
	root  string
	warnf func(format string, args ...any)
}

// Option configures a Store.
type Option func(*Store)

// WithWarnings sends warnings (such as a key readable by others) to warnf.
func WithWarnings(warnf func(format string, args ...any)) Option {
	return func(s *Store) { s.warnf = warnf }
}

// New returns the store rooted at root (lego's --path). Nothing is created
// on disk until something is saved.
func New(root string, opts ...Option) *Store {
	s := &Store{root: root}
	for _, o := range opts {
		o(s)
	}

	return s
}

// Root is the store's folder.
func (s *Store) Root() string { return s.root }
