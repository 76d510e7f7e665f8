package providers

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/lego-persist/lego-persist/e2e/bed"
	"github.com/lego-persist/lego-persist/e2e/e2etest"
	"github.com/miekg/dns"
)

// request is what the endpoint saw of one call.
type request struct {
	Method, Path, ContentType string
	User, Password            string
	Body                      map[string]any
}

// endpoint is an HTTP server of the kind lego users run for lego's httpreq
// provider: POST /present and /cleanup with {"fqdn", "value"} and basic
// auth, applied to the bed's BIND as a TSIG-signed RFC 2136 UPDATE.
type endpoint struct {
	b    *bed.Bed
	user string
	pass string

	mu       sync.Mutex
	requests []request
}

func (e *endpoint) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	req := request{Method: r.Method, Path: r.URL.Path, ContentType: r.Header.Get("Content-Type")}
	req.User, req.Password, _ = r.BasicAuth()

	raw, err := io.ReadAll(io.LimitReader(r.Body, 64<<10))
	if err == nil {
		err = json.Unmarshal(raw, &req.Body)
	}

	e.mu.Lock()
	e.requests = append(e.requests, req)
	e.mu.Unlock()

	if err != nil {
		http.Error(w, "bad body: "+err.Error(), http.StatusBadRequest)
		return
	}

	if req.User != e.user || req.Password != e.pass {
		http.Error(w, "unauthorized", http.StatusUnauthorized)
		return
	}

	fqdn, _ := req.Body["fqdn"].(string)
	value, _ := req.Body["value"].(string)

	var insert bool

	switch r.URL.Path {
	case "/acme/present":
		insert = true
	case "/acme/cleanup":
	default:
		http.NotFound(w, r)
		return
	}

	if err := update(r.Context(), e.b, insert, fqdn, value); err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}

	w.WriteHeader(http.StatusOK)
}

func (e *endpoint) seen() []request {
	e.mu.Lock()
	defer e.mu.Unlock()

	return slices.Clone(e.requests)
}

// update adds (insert) or deletes value in the TXT set at fqdn with one
// RFC 2136 UPDATE signed with the bed's TSIG key, so named counts it.
func update(ctx context.Context, b *bed.Bed, insert bool, fqdn, value string) error {
	rr := &dns.TXT{
		Hdr: dns.RR_Header{Name: fqdn, Rrtype: dns.TypeTXT, Class: dns.ClassINET, Ttl: 60},
		Txt: split(value),
	}

	m := new(dns.Msg)
	m.SetUpdate(b.Zone)

	if insert {
		m.Insert([]dns.RR{rr}) // RFC 2136 §2.5.1: add to an RRset
	} else {
		m.Remove([]dns.RR{rr}) // RFC 2136 §2.5.4: delete an RR from an RRset
	}

	m.SetTsig(b.TSIGKey, b.TSIGAlgorithm, 300, time.Now().Unix())

	c := &dns.Client{Net: "tcp", Timeout: 5 * time.Second, TsigSecret: map[string]string{b.TSIGKey: b.TSIGSecret}}

	r, _, err := c.ExchangeContext(ctx, m, b.DNSAddr)
	if err != nil {
		return fmt.Errorf("UPDATE TXT %s at %s: %w", fqdn, b.DNSAddr, err)
	}

	if r.Rcode != dns.RcodeSuccess {
		return fmt.Errorf("UPDATE TXT %s at %s: %s", fqdn, b.DNSAddr, dns.RcodeToString[r.Rcode])
	}

	return nil
}

// split cuts s into TXT character-strings of at most 255 octets.
func split(s string) []string {
	var out []string

	for len(s) > 255 {
		out, s = append(out, s[:255]), s[255:]
	}

	return append(out, s)
}

// TestHTTPReqEndpointPublishesAndCleansUp drives `--dns-persist httpreq`
// against a local endpoint: run POSTs lego's {"fqdn","value"} body once to
// <endpoint>/present with basic auth, the endpoint's UPDATE is the only
// write and Pebble issues the certificate; remove POSTs the same body to
// <endpoint>/cleanup and the record is gone.
func TestHTTPReqEndpointPublishesAndCleansUp(t *testing.T) {
	b := bed.New(t, bed.Options{})
	ep := &endpoint{b: b, user: "acme-hook", pass: "pa55-for-httpreq"}

	srv := httptest.NewServer(ep) // 127.0.0.1
	t.Cleanup(srv.Close)

	h := newHarness(t, b,
		"HTTPREQ_ENDPOINT="+srv.URL+"/acme",
		"HTTPREQ_USERNAME="+ep.user,
		"HTTPREQ_PASSWORD="+ep.pass,
	)
	d := e2etest.Domain(b, "webhook")
	name := e2etest.RecordName(d)

	before := state(t, b)

	res := h.Run(t, "--accept-tos", "--dns-persist", "httpreq", "-d", d, "run")
	if res.Code != 0 {
		t.Fatalf("run:\n%s", res)
	}

	storedCert(t, h.Path, d)
	noSecret(t, res, ep.pass)

	value := h.wantValue(t)
	body := map[string]any{"fqdn": name, "value": value}

	want := []request{{
		Method: http.MethodPost, Path: "/acme/present", ContentType: "application/json",
		User: ep.user, Password: ep.pass, Body: body,
	}}

	if got := ep.seen(); !reflect.DeepEqual(got, want) {
		t.Fatalf("endpoint saw %+v\nwant %+v", got, want)
	}

	wantOneUpdate(t, b, before)

	if got := e2etest.TXT(t, b, name); !slices.Equal(got, []string{value}) {
		t.Errorf("TXT at %s = %q, want [%q]", name, got, value)
	}

	t.Run("remove posts cleanup with the published value", func(t *testing.T) {
		res := h.Run(t, "--dns-persist", "httpreq", "-d", d, "remove")
		if res.Code != 0 {
			t.Fatalf("remove:\n%s", res)
		}

		noSecret(t, res, ep.pass)

		want = append(want, request{
			Method: http.MethodPost, Path: "/acme/cleanup", ContentType: "application/json",
			User: ep.user, Password: ep.pass, Body: body,
		})

		if got := ep.seen(); !reflect.DeepEqual(got, want) {
			t.Fatalf("endpoint saw %+v\nwant %+v", got, want)
		}

		if got := e2etest.TXT(t, b, name); len(got) != 0 {
			t.Errorf("TXT at %s = %q after remove, want none", name, got)
		}
	})
}

// noSecret fails if secret appears in the invocation's output.
func noSecret(t *testing.T, res e2etest.Result, secret string) {
	t.Helper()

	if strings.Contains(res.Stdout+res.Stderr, secret) {
		t.Errorf("the password appears in the output:\n%s", res)
	}
}
