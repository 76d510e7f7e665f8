package persist_test

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"time"

	"github.com/go-acme/lego/v4/lego"
	"github.com/go-acme/lego/v4/registration"
	"github.com/miekg/dns"
)

// This file is the stand-in world of the examples: an ACME CA that answers
// what Records and Check ask (its directory, nonces, the account), reached
// as https://example.com through a transport that dials it on loopback,
// and a DNS resolver on loopback serving one customer's record. Nothing
// leaves the machine.

type standinUser struct {
	key crypto.PrivateKey
	reg *registration.Resource
}

func (u *standinUser) GetEmail() string                        { return "" }
func (u *standinUser) GetRegistration() *registration.Resource { return u.reg }
func (u *standinUser) GetPrivateKey() crypto.PrivateKey        { return u.key }

// standinCA starts the CA and returns the lego config of a registered
// account there, as a platform has it after client.Registration.Register.
func standinCA() (*lego.Config, func()) {
	mux := http.NewServeMux()
	srv := httptest.NewUnstartedServer(mux)

	mux.HandleFunc("/dir", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, `{"newNonce":"https://example.com/nonce","newAccount":"https://example.com/acct",`+
			`"newOrder":"https://example.com/order","meta":{"caaIdentities":["ca.example"]}}`)
	})
	mux.HandleFunc("/nonce", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Replay-Nonce", "nonce-"+time.Now().Format("150405.000000000"))
		w.WriteHeader(http.StatusOK)
	})
	mux.HandleFunc("/acct/1", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Replay-Nonce", "nonce-"+time.Now().Format("150405.000000000"))
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, `{"status":"valid"}`)
	})
	srv.StartTLS()

	// httptest's certificate is valid for example.com: dial the server
	// whatever the host, keep TLS verification.
	tr := srv.Client().Transport.(*http.Transport).Clone()
	tr.DialContext = func(ctx context.Context, network, _ string) (net.Conn, error) {
		return (&net.Dialer{}).DialContext(ctx, network, srv.Listener.Addr().String())
	}

	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	user := &standinUser{key: key, reg: &registration.Resource{URI: "https://example.com/acct/1"}}

	cfg := lego.NewConfig(user)
	cfg.CADirURL = "https://example.com/dir"
	cfg.HTTPClient = &http.Client{Transport: tr, Timeout: 10 * time.Second}

	return cfg, srv.Close
}

// standinResolver serves the TXT records of txt (name with trailing dot ->
// value) on a loopback UDP port and returns its address.
func standinResolver(txt map[string]string) (string, func()) {
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		panic(err)
	}

	srv := &dns.Server{PacketConn: pc, Handler: dns.HandlerFunc(func(w dns.ResponseWriter, r *dns.Msg) {
		m := new(dns.Msg)
		m.SetReply(r)

		q := r.Question[0]
		if v, ok := txt[strings.ToLower(q.Name)]; ok && q.Qtype == dns.TypeTXT {
			m.Answer = append(m.Answer, &dns.TXT{
				Hdr: dns.RR_Header{Name: q.Name, Rrtype: dns.TypeTXT, Class: dns.ClassINET, Ttl: 60},
				Txt: []string{v},
			})
		} else {
			m.Rcode = dns.RcodeNameError
		}

		_ = w.WriteMsg(m)
	})}

	go func() { _ = srv.ActivateAndServe() }()

	return pc.LocalAddr().String(), func() { _ = srv.Shutdown() }
}
