package bed

import (
	"bytes"
	"context"
	"crypto/tls"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log"
	"mime"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Rewrite edits the JSON object of one Pebble response in place before the
// client sees it. r is the request as sent to Pebble (r.URL.Path tells which
// resource: "/dir", "/order-plz", "/authZ/...", "/chalZ/...", ...). It is
// called for every response whose body is a JSON object, problem documents
// included, possibly from several goroutines at once.
type Rewrite func(r *http.Request, body map[string]any)

// Proxy is a TLS reverse proxy in front of a Bed's Pebble that can rewrite
// JSON responses, for emulating other drafts (a draft-00 CA without
// accounturi, draft-02 field names) and faults. It counts the requests it
// forwards.
//
// It forwards with the client's Host header (https://127.0.0.1:PROXYPORT),
// so Pebble builds every URL in its answers, Location and Link headers and
// the account URL included, for the proxy: no URL needs rewriting, and the
// account URL a client learns through the proxy is the one Pebble compares
// a record's accounturi with. Accounts made through the proxy are not the
// same accounts' URLs as through DirectoryURL (Pebble looks accounts up by
// key, though, so the key works on both).
type Proxy struct {
	// URL is the proxied ACME directory, https://127.0.0.1:port/dir.
	URL string

	srv  *http.Server
	done chan error

	mu     sync.Mutex
	counts map[string]int

	closeOnce sync.Once
	closeErr  error
}

// NewProxy starts a Proxy on a free loopback port with Pebble's TLS
// certificate (trusted by HTTPClient). rewrite may be nil (pass-through,
// counting only). ctx bounds setting up the listener; the proxy runs until
// Close or the Bed's Close.
func (b *Bed) NewProxy(ctx context.Context, rewrite Rewrite) (*Proxy, error) {
	certs := filepath.Join(b.pebbleInst.modDir, "test", "certs", "localhost")

	cert, err := tls.LoadX509KeyPair(filepath.Join(certs, "cert.pem"), filepath.Join(certs, "key.pem"))
	if err != nil {
		return nil, fmt.Errorf("bed: proxy certificate: %w", err)
	}

	target, err := url.Parse(b.DirectoryURL)
	if err != nil {
		return nil, fmt.Errorf("bed: proxy target: %w", err)
	}

	target.Path = ""

	var lc net.ListenConfig

	ln, err := lc.Listen(ctx, "tcp4", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("bed: proxy listener: %w", err)
	}

	p := &Proxy{
		URL:    fmt.Sprintf("https://%s/dir", ln.Addr().String()),
		done:   make(chan error, 1),
		counts: map[string]int{},
	}

	quiet := log.New(io.Discard, "", 0)

	rp := &httputil.ReverseProxy{
		Rewrite: func(pr *httputil.ProxyRequest) {
			pr.SetURL(target)
			// Keep the client's Host: Pebble derives its URLs from it.
			pr.Out.Host = pr.In.Host
			// Bodies must arrive uncompressed to be rewritten.
			pr.Out.Header.Del("Accept-Encoding")
		},
		Transport:      b.transport(),
		ModifyResponse: func(resp *http.Response) error { return rewriteBody(resp, rewrite) },
		ErrorLog:       quiet,
	}

	p.srv = &http.Server{
		Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			p.mu.Lock()
			p.counts[r.URL.Path]++
			p.mu.Unlock()

			rp.ServeHTTP(w, r)
		}),
		TLSConfig:         &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12},
		ReadHeaderTimeout: 10 * time.Second,
		ErrorLog:          quiet,
	}

	go func() { p.done <- p.srv.ServeTLS(ln, "", "") }()

	b.mu.Lock()
	defer b.mu.Unlock()

	if b.proxies == nil { // the Bed is closed or closing
		_ = p.Close()
		return nil, errors.New("bed: NewProxy after Close")
	}

	b.proxies[p] = struct{}{}

	return p, nil
}

// rewriteBody hands a JSON object body to rewrite and replaces the body
// with the result. Other bodies (PEM certificates, empty HEAD answers,
// arrays) pass unchanged.
func rewriteBody(resp *http.Response, rewrite Rewrite) error {
	if rewrite == nil {
		return nil
	}

	mt, _, _ := mime.ParseMediaType(resp.Header.Get("Content-Type"))
	if mt != "application/json" && !strings.HasSuffix(mt, "+json") {
		return nil
	}

	raw, err := io.ReadAll(resp.Body)
	_ = resp.Body.Close()

	if err != nil {
		return fmt.Errorf("read Pebble's answer to %s: %w", resp.Request.URL.Path, err)
	}

	body := map[string]any{}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber() // numbers pass through exactly

	if err := dec.Decode(&body); err != nil {
		setBody(resp, raw)
		return nil
	}

	rewrite(resp.Request, body)

	var out bytes.Buffer
	enc := json.NewEncoder(&out)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "   ")

	if err := enc.Encode(body); err != nil {
		return fmt.Errorf("re-encode the rewritten answer to %s: %w", resp.Request.URL.Path, err)
	}

	setBody(resp, out.Bytes())

	return nil
}

func setBody(resp *http.Response, data []byte) {
	resp.Body = io.NopCloser(bytes.NewReader(data))
	resp.ContentLength = int64(len(data))
	resp.Header.Set("Content-Length", strconv.Itoa(len(data)))
}

// Count returns how many requests whose path starts with pathPrefix the
// proxy has forwarded, e.g. Count("/order-plz") for newOrder, Count("/authZ/")
// for authorization fetches, Count("/") for all.
func (p *Proxy) Count(pathPrefix string) int {
	p.mu.Lock()
	defer p.mu.Unlock()

	n := 0

	for path, c := range p.counts {
		if strings.HasPrefix(path, pathPrefix) {
			n += c
		}
	}

	return n
}

// Close stops the proxy, ending open connections. Calling it again returns
// the first result.
func (p *Proxy) Close() error {
	p.closeOnce.Do(func() {
		p.closeErr = p.srv.Close()
		if err := <-p.done; err != nil && !errors.Is(err, http.ErrServerClosed) {
			p.closeErr = errors.Join(p.closeErr, err)
		}
	})

	return p.closeErr
}

// EachChallenge calls fn for every challenge object in an ACME response
// body: each entry of an authorization's "challenges", or the body itself
// when it is a challenge (it has a "url" and a "type" that is not a problem
// type). fn may change the object in place.
func EachChallenge(body map[string]any, fn func(ch map[string]any)) {
	if chs, ok := body["challenges"].([]any); ok {
		for _, c := range chs {
			if ch, ok := c.(map[string]any); ok {
				fn(ch)
			}
		}

		return
	}

	typ, hasType := body["type"].(string)
	_, hasURL := body["url"].(string)

	if hasType && hasURL && !strings.HasPrefix(typ, "urn:") {
		fn(body)
	}
}

// DropChallengeField returns a Rewrite that deletes field from every
// challenge object (see EachChallenge). DropChallengeField("accounturi")
// turns Pebble into a draft-00 dns-persist-01 CA.
func DropChallengeField(field string) Rewrite {
	return func(_ *http.Request, body map[string]any) {
		EachChallenge(body, func(ch map[string]any) { delete(ch, field) })
	}
}
