// Package regru publishes dns-persist-01 records at REG.RU through its API
// v2 (net/http only), configured with lego's REGRU_* environment variables.
//
// The API adds and removes single values: publish runs zone/add_txt with
// one value; unpublish runs zone/remove_record with exactly that content,
// which removes only the TXT records holding it. The credentials travel in
// the POST body; an optional client certificate (REGRU_TLS_CERT,
// REGRU_TLS_KEY) is presented as the account may require.
package regru

import (
	"context"
	"crypto/tls"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/go-acme/lego/v4/platform/config/env"
	"github.com/libdns/libdns"

	"github.com/lego-persist/lego-persist/providers/persist/httpapi"
	"github.com/lego-persist/lego-persist/providers/persist/libdnsadapter"
)

// Environment variable names, lego's (each also as NAME_FILE).
const (
	EnvUsername = "REGRU_USERNAME"
	EnvPassword = "REGRU_PASSWORD"
	EnvTLSCert  = "REGRU_TLS_CERT"
	EnvTLSKey   = "REGRU_TLS_KEY"
)

// DefaultBaseURL is the REG.RU API v2.
const DefaultBaseURL = "https://api.reg.ru/api/regru2"

// Config configures a DNSProvider.
type Config struct {
	libdnsadapter.Options

	Username string
	Password string
	TLSCert  string // PEM client certificate, with TLSKey
	TLSKey   string
	BaseURL  string // DefaultBaseURL when empty
}

// NewDefaultConfig reads REGRU_ZONE and REGRU_HTTP_TIMEOUT.
func NewDefaultConfig() *Config {
	return &Config{Options: libdnsadapter.ReadOptions(0, "REGRU_")}
}

// DNSProvider publishes dns-persist-01 records at REG.RU. It implements
// persist.Publisher and persist.Unpublisher (see libdnsadapter.Publisher).
type DNSProvider struct{ *libdnsadapter.Publisher }

// NewDNSProvider reads the configuration from the environment.
func NewDNSProvider() (*DNSProvider, error) {
	cfg := NewDefaultConfig()
	cfg.Username, cfg.Password = env.GetOrFile(EnvUsername), env.GetOrFile(EnvPassword)
	cfg.TLSCert, cfg.TLSKey = env.GetOrFile(EnvTLSCert), env.GetOrFile(EnvTLSKey)

	if err := cfg.UseSystemResolvers(); err != nil {
		return nil, fmt.Errorf("regru: %w (or set REGRU_ZONE)", err)
	}

	return NewDNSProviderConfig(cfg)
}

// NewDNSProviderConfig checks cfg and returns a DNSProvider.
func NewDNSProviderConfig(cfg *Config) (*DNSProvider, error) {
	if cfg == nil || cfg.Username == "" || cfg.Password == "" {
		return nil, errors.New("regru: the credentials are missing: set " + EnvUsername + " and " + EnvPassword)
	}

	c, err := cfg.APIClient("regru", "base URL", cfg.BaseURL, DefaultBaseURL, nil)
	if err != nil {
		return nil, err
	}

	if cfg.TLSCert != "" || cfg.TLSKey != "" {
		pair, err := tls.X509KeyPair([]byte(cfg.TLSCert), []byte(cfg.TLSKey))
		if err != nil {
			// The parser's error could quote the key: do not wrap it.
			return nil, errors.New("regru: " + EnvTLSCert + " and " + EnvTLSKey + " are not a PEM certificate and its key")
		}

		base := http.DefaultTransport.(*http.Transport).Clone()
		base.TLSClientConfig = &tls.Config{Certificates: []tls.Certificate{pair}, MinVersion: tls.VersionTLS12}
		c.HTTP.Transport.(*httpapi.Transport).Base = base
	}

	ac := cfg.Config("regru", cfg.Password, cfg.TLSKey)
	ac.TTL = 0 // the API takes no TTL

	return libdnsadapter.NewAs[DNSProvider](ac, provider{c: c, user: cfg.Username, password: cfg.Password})
}

// Describe documents the provider for lego-persist dnshelp.
func Describe() libdnsadapter.Description {
	common := libdnsadapter.CommonEnv("REGRU_", 0)

	return libdnsadapter.Description{
		Name:        "regru",
		Description: "REG.RU API v2. Publish runs zone/add_txt with one value; unpublish runs zone/remove_record with exactly that content.",
		Backing:     "own client (REG.RU API v2, net/http)",
		Safety:      libdnsadapter.SafePerValue + ": add_txt adds our value; remove_record removes only TXT records with exactly our content.",
		LongValues:  libdnsadapter.LongWhole,
		Env: append([]libdnsadapter.EnvVar{
			{Name: EnvUsername, Description: "Account user name", Required: true},
			{Name: EnvPassword, Description: "API password", Required: true},
			{Name: EnvTLSCert, Description: "PEM client certificate, when the account requires one"},
			{Name: EnvTLSKey, Description: "PEM key of the client certificate"},
		}, common[0], common[2]), // the API takes no TTL
	}
}

// provider adds and removes single TXT values through the API.
type provider struct {
	c              *httpapi.Client
	user, password string
}

type domain struct {
	DName string `json:"dname"`
}

// call POSTs input as the form's input_data to path; an error result (of
// the call or of the domain) carries its code and text.
func (p provider) call(ctx context.Context, path string, input map[string]any) error {
	data, err := json.Marshal(input)
	if err != nil {
		return err
	}

	form := url.Values{"username": {p.user}, "password": {p.password}, "input_format": {"json"}, "input_data": {string(data)}}

	body, err := httpapi.DoJSON(ctx, p.c.HTTP, httpapi.Request{
		Method: http.MethodPost, URL: p.c.BaseURL + path,
		Header: http.Header{"Content-Type": {"application/x-www-form-urlencoded"}},
		Body:   []byte(form.Encode()),
	}, httpapi.BodyError)
	if err != nil {
		return err
	}

	var resp struct {
		Result    string `json:"result"`
		ErrorCode string `json:"error_code"`
		ErrorText string `json:"error_text"`
		Answer    struct {
			Domains []struct {
				Result    string `json:"result"`
				ErrorCode string `json:"error_code"`
				ErrorText string `json:"error_text"`
			} `json:"domains"`
		} `json:"answer"`
	}

	if err := json.Unmarshal(body, &resp); err != nil {
		return fmt.Errorf("reading the response: %w", err)
	}

	code, text := resp.ErrorCode, resp.ErrorText
	if resp.Result == "success" {
		code, text = "", ""

		for _, d := range resp.Answer.Domains {
			if d.Result != "success" {
				code, text = d.ErrorCode, d.ErrorText
			}
		}
	}

	if code == "" && resp.Result == "success" {
		return nil
	}

	e := &httpapi.StatusError{Code: code, Message: text}
	if strings.Contains(code, "PASSWORD") || strings.Contains(code, "NO_AUTH") || strings.Contains(code, "ACCESS_DENIED") {
		e.Status = http.StatusUnauthorized
	}

	return e
}

func subdomain(zone, name string) string {
	if s := libdns.RelativeName(name, zone); s != "" {
		return s
	}

	return "@"
}

func (p provider) AppendRecords(ctx context.Context, zone string, recs []libdns.Record) ([]libdns.Record, error) {
	for _, r := range recs {
		rr := r.RR()

		err := p.call(ctx, "/zone/add_txt", map[string]any{
			"domains": []domain{{DName: strings.TrimSuffix(zone, ".")}}, "subdomain": subdomain(zone, rr.Name),
			"text": rr.Data, "output_content_type": "plain",
		})
		if err != nil {
			return nil, fmt.Errorf("adding the record: %w", err)
		}
	}

	return recs, nil
}

func (p provider) DeleteRecords(ctx context.Context, zone string, recs []libdns.Record) ([]libdns.Record, error) {
	for _, r := range recs {
		rr := r.RR()

		err := p.call(ctx, "/zone/remove_record", map[string]any{
			"domains": []domain{{DName: strings.TrimSuffix(zone, ".")}}, "subdomain": subdomain(zone, rr.Name),
			"content": rr.Data, "record_type": "TXT", "output_content_type": "plain",
		})
		if err != nil {
			return nil, fmt.Errorf("removing the record: %w", err)
		}
	}

	return recs, nil
}
