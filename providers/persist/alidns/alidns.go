// Package alidns publishes dns-persist-01 records in Alibaba Cloud DNS
// through its RPC API (version 2015-01-09, net/http only, requests signed
// as the API's signature version 1.0 requires), configured with lego's
// ALICLOUD_* environment variables.
//
// Each TXT value is a record of its own: publish adds one
// (AddDomainRecord); unpublish lists the TXT records at the name
// (DescribeSubDomainRecords) and deletes, by RecordId, those holding exactly
// the value (DeleteDomainRecord). ECS RAM roles (ALICLOUD_RAM_ROLE) are not
// supported: give an AccessKey (and an STS token if temporary).
package alidns

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha1" //nolint:gosec // the API's signature version 1.0 is HMAC-SHA1
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/go-acme/lego/v4/platform/config/env"

	"github.com/lego-persist/lego-persist/providers/persist/httpapi"
	"github.com/lego-persist/lego-persist/providers/persist/libdnsadapter"
)

// Environment variable names, lego's (each also as NAME_FILE).
const (
	EnvAccessKey     = "ALICLOUD_ACCESS_KEY"
	EnvSecretKey     = "ALICLOUD_SECRET_KEY"
	EnvSecurityToken = "ALICLOUD_SECURITY_TOKEN"
	EnvRAMRole       = "ALICLOUD_RAM_ROLE"
	EnvLine          = "ALICLOUD_LINE"
)

// DefaultBaseURL is the Alibaba Cloud DNS API.
const DefaultBaseURL = "https://alidns.aliyuncs.com"

const (
	defaultTTL = 600 // lego's default, the API's minimum on most plans
	apiVersion = "2015-01-09"
)

// Config configures a DNSProvider.
type Config struct {
	libdnsadapter.Options

	AccessKey     string
	SecretKey     string
	SecurityToken string // for an STS AccessKey
	Line          string // resolution line of new records ("default" when empty)
	BaseURL       string // DefaultBaseURL when empty
}

// NewDefaultConfig reads ALICLOUD_ZONE, _TTL, _HTTP_TIMEOUT and _LINE.
func NewDefaultConfig() *Config {
	return &Config{Options: libdnsadapter.ReadOptions(defaultTTL, "ALICLOUD_"), Line: env.GetOrFile(EnvLine)}
}

// DNSProvider publishes dns-persist-01 records in Alibaba Cloud DNS. It
// implements persist.Publisher and persist.Unpublisher (see
// libdnsadapter.Publisher).
type DNSProvider struct{ *libdnsadapter.Publisher }

// NewDNSProvider reads the configuration from the environment.
func NewDNSProvider() (*DNSProvider, error) {
	if env.GetOrFile(EnvRAMRole) != "" {
		return nil, errors.New("alidns: " + EnvRAMRole + " (ECS RAM role) is not supported: set " + EnvAccessKey +
			" and " + EnvSecretKey + " (and " + EnvSecurityToken + " for STS credentials)")
	}

	cfg := NewDefaultConfig()
	cfg.AccessKey, cfg.SecretKey = env.GetOrFile(EnvAccessKey), env.GetOrFile(EnvSecretKey)
	cfg.SecurityToken = env.GetOrFile(EnvSecurityToken)

	if err := cfg.UseSystemResolvers(); err != nil {
		return nil, fmt.Errorf("alidns: %w (or set ALICLOUD_ZONE)", err)
	}

	return NewDNSProviderConfig(cfg)
}

// NewDNSProviderConfig checks cfg and returns a DNSProvider.
func NewDNSProviderConfig(cfg *Config) (*DNSProvider, error) {
	if cfg == nil || cfg.AccessKey == "" || cfg.SecretKey == "" {
		return nil, errors.New("alidns: the AccessKey is missing: set " + EnvAccessKey + " and " + EnvSecretKey)
	}

	c, err := cfg.APIClient("alidns", "base URL", cfg.BaseURL, DefaultBaseURL, nil)
	if err != nil {
		return nil, err
	}

	c.ErrorOf = apiError

	a := api{c: c, key: cfg.AccessKey, secret: cfg.SecretKey, token: cfg.SecurityToken, line: cfg.Line}

	return libdnsadapter.NewAs[DNSProvider](cfg.Config("alidns", cfg.SecretKey, cfg.SecurityToken), libdnsadapter.Records(a))
}

// Describe documents the provider for lego-persist dnshelp.
func Describe() libdnsadapter.Description {
	return libdnsadapter.Description{
		Name:        "alidns",
		Description: "Alibaba Cloud DNS API (2015-01-09). Publish adds one TXT record; unpublish deletes, by RecordId, the records with exactly that value.",
		Backing:     "own client (Alibaba Cloud DNS RPC API, signature v1.0, net/http)",
		Safety:      libdnsadapter.SafePerRecord + ": AddDomainRecord adds one record; DeleteDomainRecord removes only the records holding our value.",
		LongValues:  libdnsadapter.LongWhole,
		Env: append([]libdnsadapter.EnvVar{
			{Name: EnvAccessKey, Description: "AccessKey ID", Required: true},
			{Name: EnvSecretKey, Description: "AccessKey secret", Required: true},
			{Name: EnvSecurityToken, Description: "STS security token, for temporary credentials"},
			{Name: EnvLine, Description: "Resolution line of new records (default: default)"},
		}, libdnsadapter.CommonEnv("ALICLOUD_", defaultTTL)...),
	}
}

// api is the Alibaba Cloud DNS API as a libdnsadapter.RecordAPI.
type api struct {
	c                  *httpapi.Client
	key, secret, token string
	line               string
}

// call runs action with params: a GET of the signed query.
func (a api) call(ctx context.Context, action string, params url.Values, out any) error {
	nonce := make([]byte, 16)
	if _, err := rand.Read(nonce); err != nil {
		return err
	}

	params.Set("Action", action)
	params.Set("Format", "JSON")
	params.Set("Version", apiVersion)
	params.Set("AccessKeyId", a.key)
	params.Set("SignatureMethod", "HMAC-SHA1")
	params.Set("SignatureVersion", "1.0")
	params.Set("SignatureNonce", hex.EncodeToString(nonce))
	params.Set("Timestamp", time.Now().UTC().Format("2006-01-02T15:04:05Z"))

	if a.token != "" {
		params.Set("SecurityToken", a.token)
	}

	params.Set("Signature", Sign(http.MethodGet, params, a.secret))

	return a.c.Call(ctx, http.MethodGet, "/?"+canonical(params), nil, out)
}

// Sign is the signature version 1.0 of a request with params: the base64
// HMAC-SHA1, keyed with secret + "&", of method, "/" and the canonical
// query, each percent-encoded and joined by "&".
func Sign(method string, params url.Values, secret string) string {
	p := url.Values{}
	for k, v := range params {
		if k != "Signature" {
			p[k] = v
		}
	}

	mac := hmac.New(sha1.New, []byte(secret+"&"))
	_, _ = mac.Write([]byte(method + "&" + percentEncode("/") + "&" + percentEncode(canonical(p))))

	return base64.StdEncoding.EncodeToString(mac.Sum(nil))
}

// canonical is params sorted by key, key=value percent-encoded, joined by &.
func canonical(params url.Values) string {
	keys := make([]string, 0, len(params))
	for k := range params {
		keys = append(keys, k)
	}

	sort.Strings(keys)

	parts := make([]string, 0, len(keys))
	for _, k := range keys {
		parts = append(parts, percentEncode(k)+"="+percentEncode(params.Get(k)))
	}

	return strings.Join(parts, "&")
}

// percentEncode is RFC 3986 encoding: everything but A-Z a-z 0-9 - _ . ~.
func percentEncode(s string) string {
	return strings.NewReplacer("+", "%20", "*", "%2A", "%7E", "~").Replace(url.QueryEscape(s))
}

func (a api) rr(n libdnsadapter.Name) string { return n.RelativeOr("@") }

func (a api) ListTXT(ctx context.Context, n libdnsadapter.Name) ([]libdnsadapter.APIRecord, error) {
	var out []libdnsadapter.APIRecord

	for page := 1; page <= 100; page++ {
		var resp struct {
			TotalCount    int `json:"TotalCount"`
			DomainRecords struct {
				Record []struct {
					RecordID string `json:"RecordId"`
					RR       string `json:"RR"`
					Type     string `json:"Type"`
					Value    string `json:"Value"`
				} `json:"Record"`
			} `json:"DomainRecords"`
		}

		q := url.Values{"DomainName": {n.Zone}, "SubDomain": {n.FQDN()}, "Type": {"TXT"}, "PageSize": {"500"}, "PageNumber": {strconv.Itoa(page)}}
		if err := a.call(ctx, "DescribeSubDomainRecords", q, &resp); err != nil {
			return nil, err
		}

		for _, r := range resp.DomainRecords.Record {
			if r.Type == "TXT" && r.RR == a.rr(n) {
				out = append(out, libdnsadapter.APIRecord{ID: r.RecordID, Value: r.Value})
			}
		}

		if len(resp.DomainRecords.Record) == 0 || page*500 >= resp.TotalCount {
			break
		}
	}

	return out, nil
}

func (a api) CreateTXT(ctx context.Context, n libdnsadapter.Name, value string, ttl int) error {
	q := url.Values{"DomainName": {n.Zone}, "RR": {a.rr(n)}, "Type": {"TXT"}, "Value": {value}}
	if ttl > 0 {
		q.Set("TTL", strconv.Itoa(ttl))
	}

	if a.line != "" {
		q.Set("Line", a.line)
	}

	return a.call(ctx, "AddDomainRecord", q, nil)
}

func (a api) DeleteTXT(ctx context.Context, _ libdnsadapter.Name, rec libdnsadapter.APIRecord) error {
	err := a.call(ctx, "DeleteDomainRecord", url.Values{"RecordId": {rec.ID}}, nil)

	var se *httpapi.StatusError
	if errors.As(err, &se) && se.Code == "DomainRecordNotBelongToUser" {
		return nil // deleted since it was listed
	}

	return err
}

// apiError reads {"Code","Message","RequestId"}.
func apiError(status int, body []byte) error {
	var v struct {
		Code    string `json:"Code"`
		Message string `json:"Message"`
	}

	if json.Unmarshal(body, &v) == nil && v.Code != "" {
		return &httpapi.StatusError{Status: status, Code: v.Code, Message: v.Message}
	}

	return httpapi.BodyError(status, body)
}
