// Package huaweicloud publishes dns-persist-01 records in Huawei Cloud DNS
// through its API v2 (net/http only, requests signed with AK/SK as Huawei
// Cloud's SDK signs them), configured with lego's HUAWEICLOUD_* environment
// variables.
//
// Huawei Cloud DNS keeps the values of a name and type in one record set
// and writes it whole: publish reads the TXT set at the name and writes it
// back with the value added (POST to create, PUT to update); unpublish
// writes it back without exactly the value (DELETE when none is left).
// Every write is read back and a value a concurrent writer dropped is
// written again. Values go in presentation format, split into quoted
// strings of at most 255 octets.
package huaweicloud

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/go-acme/lego/v4/platform/config/env"

	"github.com/lego-persist/lego-persist/providers/persist/httpapi"
	"github.com/lego-persist/lego-persist/providers/persist/libdnsadapter"
)

// Environment variable names, lego's (each also as NAME_FILE).
const (
	EnvAccessKeyID     = "HUAWEICLOUD_ACCESS_KEY_ID"
	EnvSecretAccessKey = "HUAWEICLOUD_SECRET_ACCESS_KEY"
	EnvRegion          = "HUAWEICLOUD_REGION"
)

const defaultTTL = 300 // lego's default

// Config configures a DNSProvider.
type Config struct {
	libdnsadapter.Options

	AccessKeyID     string
	SecretAccessKey string
	Region          string // "ap-southeast-1", "cn-north-4", ...

	// ProjectID is the region's project; when empty it is read from IAM
	// (GET /v3/projects?name=<region>), as Huawei Cloud's SDK does.
	ProjectID string

	// DNSURL and IAMURL replace https://dns.<region>.myhuaweicloud.com and
	// https://iam.myhuaweicloud.com.
	DNSURL string
	IAMURL string
}

// NewDefaultConfig reads HUAWEICLOUD_ZONE, _TTL, _HTTP_TIMEOUT and _REGION.
func NewDefaultConfig() *Config {
	return &Config{Options: libdnsadapter.ReadOptions(defaultTTL, "HUAWEICLOUD_"), Region: env.GetOrFile(EnvRegion)}
}

// DNSProvider publishes dns-persist-01 records in Huawei Cloud DNS. It
// implements persist.Publisher and persist.Unpublisher (see
// libdnsadapter.Publisher).
type DNSProvider struct{ *libdnsadapter.Publisher }

// NewDNSProvider reads the configuration from the environment.
func NewDNSProvider() (*DNSProvider, error) {
	cfg := NewDefaultConfig()
	cfg.AccessKeyID, cfg.SecretAccessKey = env.GetOrFile(EnvAccessKeyID), env.GetOrFile(EnvSecretAccessKey)

	if err := cfg.UseSystemResolvers(); err != nil {
		return nil, fmt.Errorf("huaweicloud: %w (or set HUAWEICLOUD_ZONE)", err)
	}

	return NewDNSProviderConfig(cfg)
}

// NewDNSProviderConfig checks cfg and returns a DNSProvider.
func NewDNSProviderConfig(cfg *Config) (*DNSProvider, error) {
	if cfg == nil || cfg.AccessKeyID == "" || cfg.SecretAccessKey == "" || cfg.Region == "" {
		return nil, errors.New("huaweicloud: missing credentials or region: set " + EnvAccessKeyID + ", " + EnvSecretAccessKey + " and " + EnvRegion)
	}

	dnsURL, err := httpapi.APIBaseURL("huaweicloud", "DNS URL", cfg.DNSURL, "https://dns."+url.PathEscape(cfg.Region)+".myhuaweicloud.com")
	if err != nil {
		return nil, err
	}

	iamURL, err := httpapi.APIBaseURL("huaweicloud", "IAM URL", cfg.IAMURL, "https://iam.myhuaweicloud.com")
	if err != nil {
		return nil, err
	}

	hc, err := httpapi.NewHTTPClient(cfg.HTTPTimeout, "", "")
	if err != nil {
		return nil, fmt.Errorf("huaweicloud: %w", err)
	}

	a := &api{hc: hc, dns: dnsURL, iam: iamURL, ak: cfg.AccessKeyID, sk: cfg.SecretAccessKey, region: cfg.Region, project: cfg.ProjectID, now: time.Now}

	return libdnsadapter.NewAs[DNSProvider](cfg.Config("huaweicloud", cfg.SecretAccessKey).WithReadBack(), libdnsadapter.RRSets(a))
}

// Describe documents the provider for lego-persist dnshelp.
func Describe() libdnsadapter.Description {
	return libdnsadapter.Description{
		Name: "huaweicloud",
		Description: "Huawei Cloud DNS API v2. Publish writes the TXT record set at the name back with the value added; " +
			"unpublish without exactly that value; both read the set back and repair it.",
		Backing:    "own client (Huawei Cloud DNS API v2, SDK-HMAC-SHA256 signing checked against the SDK's vectors, net/http)",
		Safety:     libdnsadapter.SafeReadBack + ": POST/PUT .../recordsets replaces the whole record set.",
		LongValues: libdnsadapter.LongSplit,
		Env: append([]libdnsadapter.EnvVar{
			{Name: EnvAccessKeyID, Description: "Access key ID", Required: true},
			{Name: EnvSecretAccessKey, Description: "Secret access key", Required: true},
			{Name: EnvRegion, Description: "Region, e.g. ap-southeast-1", Required: true},
		}, libdnsadapter.CommonEnv("HUAWEICLOUD_", defaultTTL)...),
	}
}

// api is the Huawei Cloud DNS API as a libdnsadapter.RRSetAPI.
type api struct {
	hc       *http.Client
	dns, iam string
	ak, sk   string
	region   string
	now      func() time.Time

	mu      sync.Mutex
	project string
}

// call sends a signed request to base+path with the JSON body in (unless
// nil) and decodes a 2xx answer into out.
func (a *api) call(ctx context.Context, base, method, path string, query url.Values, in, out any) error {
	var body []byte

	if in != nil {
		var err error
		if body, err = json.Marshal(in); err != nil {
			return err
		}
	}

	date := a.now()
	signed := map[string]string{"x-sdk-date": date.UTC().Format(dateFormat)}

	if base == a.dns {
		signed["x-project-id"] = a.projectID()
	}

	h := http.Header{}
	for k, v := range signed {
		h.Set(k, v)
	}

	h.Set("Authorization", Authorization(method, path, query, signed, body, a.ak, a.sk, date))

	u := base + path
	if len(query) > 0 {
		u += "?" + query.Encode()
	}

	raw, err := httpapi.DoJSON(ctx, a.hc, httpapi.Request{Method: method, URL: u, Header: h, Body: body}, apiError)
	if err != nil || out == nil || len(raw) == 0 {
		return err
	}

	return json.Unmarshal(raw, out)
}

func (a *api) projectID() string {
	a.mu.Lock()
	defer a.mu.Unlock()

	return a.project
}

// ready finds the region's project ID when none is configured.
func (a *api) ready(ctx context.Context) error {
	if a.projectID() != "" {
		return nil
	}

	var resp struct {
		Projects []struct {
			ID   string `json:"id"`
			Name string `json:"name"`
		} `json:"projects"`
	}

	if err := a.call(ctx, a.iam, http.MethodGet, "/v3/projects", url.Values{"name": {a.region}}, nil, &resp); err != nil {
		return fmt.Errorf("finding the project of region %s: %w", a.region, err)
	}

	for _, p := range resp.Projects {
		if p.Name == a.region {
			a.mu.Lock()
			a.project = p.ID
			a.mu.Unlock()

			return nil
		}
	}

	return fmt.Errorf("no project for region %s in this account", a.region)
}

type recordset struct {
	ID      string   `json:"id,omitempty"`
	Name    string   `json:"name"`
	Type    string   `json:"type"`
	TTL     int      `json:"ttl,omitempty"`
	Records []string `json:"records"`
}

// set returns the zone's path and the TXT record set at n (nil when none).
func (a *api) set(ctx context.Context, n libdnsadapter.Name) (string, *recordset, error) {
	if err := a.ready(ctx); err != nil {
		return "", nil, err
	}

	var zones struct {
		Zones []struct {
			ID   string `json:"id"`
			Name string `json:"name"`
		} `json:"zones"`
	}

	if err := a.call(ctx, a.dns, http.MethodGet, "/v2/zones", url.Values{"type": {"public"}, "name": {n.Zone + "."}}, nil, &zones); err != nil {
		return "", nil, err
	}

	zonePath := ""

	for _, z := range zones.Zones {
		if strings.EqualFold(z.Name, n.Zone+".") {
			zonePath = "/v2/zones/" + url.PathEscape(z.ID)
		}
	}

	if zonePath == "" {
		return "", nil, fmt.Errorf("public zone %s not found in this account", n.Zone)
	}

	var sets struct {
		Recordsets []recordset `json:"recordsets"`
	}

	if err := a.call(ctx, a.dns, http.MethodGet, zonePath+"/recordsets", url.Values{"type": {"TXT"}, "name": {n.FQDN() + "."}}, nil, &sets); err != nil {
		return "", nil, err
	}

	for _, s := range sets.Recordsets {
		if s.Type == "TXT" && strings.EqualFold(s.Name, n.FQDN()+".") {
			return zonePath, &s, nil
		}
	}

	return zonePath, nil, nil
}

func (a *api) GetTXT(ctx context.Context, n libdnsadapter.Name) ([]string, int, error) {
	_, s, err := a.set(ctx, n)
	if err != nil || s == nil {
		return nil, 0, err
	}

	out := make([]string, 0, len(s.Records))
	for _, r := range s.Records {
		out = append(out, libdnsadapter.Unquote(r))
	}

	return out, s.TTL, nil
}

func (a *api) PutTXT(ctx context.Context, n libdnsadapter.Name, values []string, ttl int, _ bool) error {
	zonePath, s, err := a.set(ctx, n)
	if err != nil {
		return err
	}

	if len(values) == 0 {
		if s == nil {
			return nil
		}

		return a.call(ctx, a.dns, http.MethodDelete, zonePath+"/recordsets/"+url.PathEscape(s.ID), nil, nil, nil)
	}

	body := recordset{Name: n.FQDN() + ".", Type: "TXT", TTL: ttl}
	for _, v := range values {
		body.Records = append(body.Records, libdnsadapter.Quote(v))
	}

	if s == nil {
		return a.call(ctx, a.dns, http.MethodPost, zonePath+"/recordsets", nil, body, nil)
	}

	return a.call(ctx, a.dns, http.MethodPut, zonePath+"/recordsets/"+url.PathEscape(s.ID), nil, body, nil)
}

// apiError reads {"code","message"} (or {"error_code","error_msg"}).
func apiError(status int, body []byte) error {
	var v struct {
		Code      string `json:"code"`
		Message   string `json:"message"`
		ErrorCode string `json:"error_code"`
		ErrorMsg  string `json:"error_msg"`
	}

	if json.Unmarshal(body, &v) == nil && (v.Code != "" || v.ErrorCode != "") {
		return &httpapi.StatusError{Status: status, Code: v.Code + v.ErrorCode, Message: v.Message + v.ErrorMsg}
	}

	return httpapi.BodyError(status, body)
}
