// Package tencentcloud publishes dns-persist-01 records in Tencent Cloud
// DNSPod through its API 3.0 (version 2021-03-23, net/http only, requests
// signed with TC3-HMAC-SHA256), configured with lego's TENCENTCLOUD_*
// environment variables.
//
// Each TXT value is a record of its own: publish creates one
// (CreateRecord); unpublish lists the TXT records at the name
// (DescribeRecordList) and deletes, by RecordId, those holding exactly the
// value (DeleteRecord).
package tencentcloud

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/go-acme/lego/v4/platform/config/env"

	"github.com/lego-persist/lego-persist/providers/persist/httpapi"
	"github.com/lego-persist/lego-persist/providers/persist/libdnsadapter"
)

// Environment variable names, lego's (each also as NAME_FILE).
const (
	EnvSecretID     = "TENCENTCLOUD_SECRET_ID"
	EnvSecretKey    = "TENCENTCLOUD_SECRET_KEY"
	EnvRegion       = "TENCENTCLOUD_REGION"
	EnvSessionToken = "TENCENTCLOUD_SESSION_TOKEN"
)

// DefaultBaseURL is the DNSPod API endpoint.
const DefaultBaseURL = "https://dnspod.tencentcloudapi.com"

const (
	defaultTTL = 600 // lego's default
	service    = "dnspod"
	apiVersion = "2021-03-23"
	// defaultLine is DNSPod's default resolution line, "默认".
	defaultLine = "\u9ed8\u8ba4"
)

// Config configures a DNSProvider.
type Config struct {
	libdnsadapter.Options

	SecretID     string
	SecretKey    string
	SessionToken string // for temporary credentials
	Region       string // sent as X-TC-Region when set
	BaseURL      string // DefaultBaseURL when empty
}

// NewDefaultConfig reads TENCENTCLOUD_ZONE, _TTL, _HTTP_TIMEOUT and _REGION.
func NewDefaultConfig() *Config {
	return &Config{Options: libdnsadapter.ReadOptions(defaultTTL, "TENCENTCLOUD_"), Region: env.GetOrFile(EnvRegion)}
}

// DNSProvider publishes dns-persist-01 records in Tencent Cloud DNSPod. It
// implements persist.Publisher and persist.Unpublisher (see
// libdnsadapter.Publisher).
type DNSProvider struct{ *libdnsadapter.Publisher }

// NewDNSProvider reads the configuration from the environment.
func NewDNSProvider() (*DNSProvider, error) {
	cfg := NewDefaultConfig()
	cfg.SecretID, cfg.SecretKey = env.GetOrFile(EnvSecretID), env.GetOrFile(EnvSecretKey)
	cfg.SessionToken = env.GetOrFile(EnvSessionToken)

	if err := cfg.UseSystemResolvers(); err != nil {
		return nil, fmt.Errorf("tencentcloud: %w (or set TENCENTCLOUD_ZONE)", err)
	}

	return NewDNSProviderConfig(cfg)
}

// NewDNSProviderConfig checks cfg and returns a DNSProvider.
func NewDNSProviderConfig(cfg *Config) (*DNSProvider, error) {
	if cfg == nil || cfg.SecretID == "" || cfg.SecretKey == "" {
		return nil, errors.New("tencentcloud: the API key is missing: set " + EnvSecretID + " and " + EnvSecretKey)
	}

	c, err := cfg.APIClient("tencentcloud", "base URL", cfg.BaseURL, DefaultBaseURL, nil)
	if err != nil {
		return nil, err
	}

	host := strings.TrimPrefix(strings.TrimPrefix(c.BaseURL, "https://"), "http://")
	a := api{c: c, host: host, id: cfg.SecretID, key: cfg.SecretKey, token: cfg.SessionToken, region: cfg.Region, now: time.Now}

	return libdnsadapter.NewAs[DNSProvider](cfg.Config("tencentcloud", cfg.SecretKey, cfg.SessionToken), libdnsadapter.Records(a))
}

// Describe documents the provider for lego-persist dnshelp.
func Describe() libdnsadapter.Description {
	return libdnsadapter.Description{
		Name:        "tencentcloud",
		Description: "Tencent Cloud DNSPod API 3.0. Publish creates one TXT record; unpublish deletes, by RecordId, the records with exactly that value.",
		Backing:     "own client (DNSPod API 3.0, TC3-HMAC-SHA256, net/http)",
		Safety:      libdnsadapter.SafePerRecord + ": CreateRecord adds one record; DeleteRecord removes only the records holding our value.",
		LongValues:  libdnsadapter.LongWhole,
		Env: append([]libdnsadapter.EnvVar{
			{Name: EnvSecretID, Description: "SecretId of the API key", Required: true},
			{Name: EnvSecretKey, Description: "SecretKey of the API key", Required: true},
			{Name: EnvSessionToken, Description: "Session token, for temporary credentials"},
			{Name: EnvRegion, Description: "Region (not needed by DNSPod)"},
		}, libdnsadapter.CommonEnv("TENCENTCLOUD_", defaultTTL)...),
	}
}

// api is the DNSPod API as a libdnsadapter.RecordAPI.
type api struct {
	c              *httpapi.Client
	host           string
	id, key, token string
	region         string
	now            func() time.Time
}

// call runs action with the JSON body in and decodes Response into out; a
// Response.Error is an error carrying its code (AuthFailure codes as 401).
func (a api) call(ctx context.Context, action string, in, out any) error {
	body, err := json.Marshal(in)
	if err != nil {
		return err
	}

	ts := a.now().Unix()
	h := http.Header{
		"Content-Type":   {"application/json; charset=utf-8"},
		"X-Tc-Action":    {action},
		"X-Tc-Version":   {apiVersion},
		"X-Tc-Timestamp": {strconv.FormatInt(ts, 10)},
		"Authorization":  {Authorization(a.id, a.key, a.host, ts, body)},
	}

	if a.region != "" {
		h.Set("X-TC-Region", a.region)
	}

	if a.token != "" {
		h.Set("X-TC-Token", a.token)
	}

	var resp struct {
		Response struct {
			Error *struct {
				Code    string `json:"Code"`
				Message string `json:"Message"`
			} `json:"Error"`
		} `json:"Response"`
	}

	raw, err := httpapi.DoJSON(ctx, a.c.HTTP, httpapi.Request{Method: http.MethodPost, URL: a.c.BaseURL + "/", Header: h, Body: body}, httpapi.BodyError)
	if err != nil {
		return err
	}

	if err := json.Unmarshal(raw, &resp); err != nil {
		return fmt.Errorf("reading the response of %s: %w", action, err)
	}

	if e := resp.Response.Error; e != nil {
		se := &httpapi.StatusError{Code: e.Code, Message: e.Message}
		if strings.HasPrefix(e.Code, "AuthFailure") {
			se.Status = http.StatusUnauthorized
		}

		return se
	}

	if out == nil {
		return nil
	}

	var wrapped struct {
		Response json.RawMessage `json:"Response"`
	}

	if err := json.Unmarshal(raw, &wrapped); err != nil {
		return err
	}

	return json.Unmarshal(wrapped.Response, out)
}

// Authorization is the TC3-HMAC-SHA256 Authorization header of a POST of
// body to host at the Unix time ts: the canonical request signs
// content-type and host and the body's SHA-256; the key is derived from
// "TC3"+key, the date, the service and "tc3_request".
func Authorization(id, key, host string, ts int64, body []byte) string {
	sum := sha256.Sum256(body)
	canonical := "POST\n/\n\ncontent-type:application/json; charset=utf-8\nhost:" + host + "\n\ncontent-type;host\n" + hex.EncodeToString(sum[:])

	date := time.Unix(ts, 0).UTC().Format("2006-01-02")
	scope := date + "/" + service + "/tc3_request"
	creq := sha256.Sum256([]byte(canonical))
	toSign := "TC3-HMAC-SHA256\n" + strconv.FormatInt(ts, 10) + "\n" + scope + "\n" + hex.EncodeToString(creq[:])

	k := hmacSHA256([]byte("TC3"+key), date)
	k = hmacSHA256(k, service)
	k = hmacSHA256(k, "tc3_request")

	return "TC3-HMAC-SHA256 Credential=" + id + "/" + scope + ", SignedHeaders=content-type;host, Signature=" +
		hex.EncodeToString(hmacSHA256(k, toSign))
}

func hmacSHA256(key []byte, s string) []byte {
	m := hmac.New(sha256.New, key)
	_, _ = m.Write([]byte(s))

	return m.Sum(nil)
}

type listRequest struct {
	Domain     string `json:"Domain"`
	Subdomain  string `json:"Subdomain"`
	RecordType string `json:"RecordType"`
	Offset     int    `json:"Offset"`
	Limit      int    `json:"Limit"`
}

type createRequest struct {
	Domain     string `json:"Domain"`
	SubDomain  string `json:"SubDomain"`
	RecordType string `json:"RecordType"`
	RecordLine string `json:"RecordLine"`
	Value      string `json:"Value"`
	TTL        int    `json:"TTL,omitempty"`
}

type deleteRequest struct {
	Domain   string `json:"Domain"`
	RecordID uint64 `json:"RecordId"`
}

func (a api) ListTXT(ctx context.Context, n libdnsadapter.Name) ([]libdnsadapter.APIRecord, error) {
	var out []libdnsadapter.APIRecord

	for offset := 0; offset < 100*3000; offset += 3000 {
		var resp struct {
			RecordCountInfo struct {
				TotalCount int `json:"TotalCount"`
			} `json:"RecordCountInfo"`
			RecordList []struct {
				RecordID uint64 `json:"RecordId"`
				Name     string `json:"Name"`
				Type     string `json:"Type"`
				Value    string `json:"Value"`
			} `json:"RecordList"`
		}

		err := a.call(ctx, "DescribeRecordList", listRequest{Domain: n.Zone, Subdomain: n.RelativeOr("@"), RecordType: "TXT", Offset: offset, Limit: 3000}, &resp)

		var se *httpapi.StatusError
		if errors.As(err, &se) && se.Code == "ResourceNotFound.NoDataOfRecord" {
			break // no records at the name
		}

		if err != nil {
			return nil, err
		}

		for _, r := range resp.RecordList {
			if r.Type == "TXT" && r.Name == n.RelativeOr("@") {
				out = append(out, libdnsadapter.APIRecord{ID: strconv.FormatUint(r.RecordID, 10), Value: r.Value})
			}
		}

		if len(resp.RecordList) == 0 || offset+len(resp.RecordList) >= resp.RecordCountInfo.TotalCount {
			break
		}
	}

	return out, nil
}

func (a api) CreateTXT(ctx context.Context, n libdnsadapter.Name, value string, ttl int) error {
	return a.call(ctx, "CreateRecord", createRequest{Domain: n.Zone, SubDomain: n.RelativeOr("@"), RecordType: "TXT", RecordLine: defaultLine, Value: value, TTL: ttl}, nil)
}

func (a api) DeleteTXT(ctx context.Context, n libdnsadapter.Name, rec libdnsadapter.APIRecord) error {
	id, err := strconv.ParseUint(rec.ID, 10, 64)
	if err != nil {
		return err
	}

	err = a.call(ctx, "DeleteRecord", deleteRequest{Domain: n.Zone, RecordID: id}, nil)

	var se *httpapi.StatusError
	if errors.As(err, &se) && se.Code == "InvalidParameter.RecordIdInvalid" {
		return nil // deleted since it was listed
	}

	return err
}
