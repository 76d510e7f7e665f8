package account

import (
	"crypto/tls"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/lego-persist/lego-persist/e2e/bed"
	"github.com/lego-persist/lego-persist/e2e/e2etest"
)

// lossyFront is a TLS reverse proxy in front of the bed's Pebble (Host
// forwarded, so Pebble builds every URL for the front) that forwards the
// key change to Pebble and then drops the connection instead of answering:
// the CA changed the key, the client never hears of it.
func lossyFront(t *testing.T, b *bed.Bed, dropped *atomic.Int32) string {
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

	rp := &httputil.ReverseProxy{
		Rewrite: func(pr *httputil.ProxyRequest) {
			pr.SetURL(target)
			pr.Out.Host = pr.In.Host
		},
		Transport: b.HTTPClient().Transport,
	}

	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost || !strings.HasPrefix(r.URL.Path, "/rollover-account-key") {
			rp.ServeHTTP(w, r)
			return
		}

		rp.ServeHTTP(httptest.NewRecorder(), r) // Pebble changes the key

		dropped.Add(1)

		conn, _, err := http.NewResponseController(w).Hijack()
		if err != nil {
			t.Errorf("hijack: %v", err)
			return
		}

		_ = conn.Close()
	}))
	srv.TLS = &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}
	srv.StartTLS()
	t.Cleanup(srv.Close)

	return srv.URL + "/dir"
}

func TestRolloverWhoseAnswerIsLostAsksTheCAAndInstallsTheKey(t *testing.T) {
	b := bed.New(t, bed.Options{})

	var dropped atomic.Int32

	h := newHarness(t, b)
	h.Server = lossyFront(t, b, &dropped)
	d := e2etest.Domain(b, "lost")

	issue(t, h, d)

	before := readStored(t, h)

	res := h.Run(t, "account", "rollover")
	if res.Code != 0 || dropped.Load() != 1 {
		t.Fatalf("rollover with the answer lost (%d dropped): want exit 0 after asking the CA:\n%s", dropped.Load(), res)
	}

	after := readStored(t, h)
	if thumbprint(t, after.key) == thumbprint(t, before.key) {
		t.Fatal("the key the CA took was not installed")
	}

	if owner, err := keyOwner(t, b, h.Server, after.key); err != nil || owner != before.url {
		t.Errorf("Pebble's account for the stored key = %q, %v; want %s", owner, err, before.url)
	}

	if _, err := os.Stat(after.nextFile); !os.IsNotExist(err) {
		t.Errorf("journal left behind: %v", err)
	}

	if res := renew(t, h, d); res.Code != 0 {
		t.Errorf("renew after the rollover:\n%s", res)
	}
}
