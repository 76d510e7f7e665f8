package faults

import (
	"crypto/tls"
	"encoding/json"
	"net"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/lego-persist/lego-persist/e2e/bed"
)

// caFront is a TLS reverse proxy in front of a bed's Pebble that can answer
// a request itself (a fault) instead of forwarding it. Like the bed's own
// proxy it forwards the client's Host, so Pebble builds every URL for the
// front and all traffic of an account made through it passes it.
type caFront struct {
	URL string // the proxied directory

	inject injector

	mu  sync.Mutex
	log []exchange
}

// injector may answer r itself (returning true); seen is what the front
// has handled before r.
type injector func(w http.ResponseWriter, r *http.Request, seen []exchange) bool

// exchange is one request as the front saw it.
type exchange struct {
	method, path string
	status       int
	injected     bool
	at           time.Time
}

func newCAFront(t *testing.T, b *bed.Bed, inject injector) *caFront {
	t.Helper()

	certs := filepath.Join(filepath.Dir(b.CACertPath), "localhost")

	cert, err := tls.LoadX509KeyPair(filepath.Join(certs, "cert.pem"), filepath.Join(certs, "key.pem"))
	if err != nil {
		t.Fatal(err)
	}

	target, err := url.Parse(b.DirectoryURL)
	if err != nil {
		t.Fatal(err)
	}

	target.Path = ""

	f := &caFront{inject: inject}
	rp := &httputil.ReverseProxy{
		Rewrite: func(pr *httputil.ProxyRequest) {
			pr.SetURL(target)
			pr.Out.Host = pr.In.Host
		},
		Transport: b.HTTPClient().Transport,
	}

	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		f.mu.Lock()
		seen := append([]exchange(nil), f.log...)
		f.mu.Unlock()

		rec := &statusRecorder{ResponseWriter: w, status: http.StatusOK}
		injected := f.inject != nil && f.inject(rec, r, seen)

		if !injected {
			rp.ServeHTTP(rec, r)
		}

		f.mu.Lock()
		f.log = append(f.log, exchange{method: r.Method, path: r.URL.Path, status: rec.status, injected: injected, at: time.Now()})
		f.mu.Unlock()
	}))
	srv.TLS = &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}
	srv.StartTLS()
	t.Cleanup(srv.Close)

	f.URL = srv.URL + "/dir"

	return f
}

// exchanges returns the requests whose path starts with prefix.
func (f *caFront) exchanges(prefix string) []exchange {
	f.mu.Lock()
	defer f.mu.Unlock()

	var out []exchange

	for _, e := range f.log {
		if strings.HasPrefix(e.path, prefix) {
			out = append(out, e)
		}
	}

	return out
}

type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (s *statusRecorder) WriteHeader(code int) {
	s.status = code
	s.ResponseWriter.WriteHeader(code)
}

func (s *statusRecorder) Unwrap() http.ResponseWriter { return s.ResponseWriter }

// count returns how many of seen match method and path prefix.
func count(seen []exchange, method, prefix string) int {
	n := 0

	for _, e := range seen {
		if e.method == method && strings.HasPrefix(e.path, prefix) {
			n++
		}
	}

	return n
}

// problem writes an RFC 7807 problem document.
func problem(w http.ResponseWriter, status int, typ, detail string, header map[string]string) {
	for k, v := range header {
		w.Header().Set(k, v)
	}

	w.Header().Set("Content-Type", "application/problem+json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]any{"type": typ, "detail": detail, "status": status})
}

// reset ends the request's connection with a TCP reset, without answering.
func reset(t *testing.T, w http.ResponseWriter) {
	t.Helper()

	conn, _, err := http.NewResponseController(w).Hijack()
	if err != nil {
		t.Errorf("hijack: %v", err)
		return
	}

	raw := conn
	if tc, ok := conn.(*tls.Conn); ok {
		raw = tc.NetConn()
	}

	if tcp, ok := raw.(*net.TCPConn); ok {
		_ = tcp.SetLinger(0) // close sends RST
	}

	_ = raw.Close()
}
