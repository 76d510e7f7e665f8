package huaweicloud

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/lego-persist/lego-persist/providers/persist/libdnsadapter"
	"github.com/lego-persist/lego-persist/providers/persist/libdnsadapter/adaptertest"
)

const secretKey = "huawei-sk-SECRET-22"

var signedHeaders = regexp.MustCompile(`SignedHeaders=([^,]+),`)

// signedBy reports whether r carries the AK/SK signature of AK "ak-1" and
// secretKey (Authorization is checked against the SDK's vectors).
func signedBy(r *http.Request, body []byte) bool {
	m := signedHeaders.FindStringSubmatch(r.Header.Get("Authorization"))
	if m == nil {
		return false
	}

	headers := map[string]string{}
	for _, name := range strings.Split(m[1], ";") {
		headers[name] = r.Header.Get(name)
	}

	date, err := time.Parse(dateFormat, r.Header.Get("X-Sdk-Date"))

	return err == nil && r.Header.Get("Authorization") == Authorization(r.Method, r.URL.Path, r.URL.Query(), headers, body, "ak-1", secretKey, date)
}

// fakeHuawei serves IAM's project list and the DNS API's zone example.com
// (ID z1, project p1) over store; record sets are whole (POST creates, PUT
// replaces, DELETE removes).
func fakeHuawei(store *adaptertest.Store) http.Handler {
	const sets = "/v2/zones/z1/recordsets"

	// The one TXT set per name gets its ID from the name.
	setID := func(name string) string { return "rs-" + strings.ReplaceAll(name, ".", "-") }

	fail := func(w http.ResponseWriter, status int, code string) {
		adaptertest.WriteJSON(w, status, map[string]string{"code": code, "message": code})
	}

	mux := http.NewServeMux()
	mux.HandleFunc("GET /v3/projects", func(w http.ResponseWriter, r *http.Request) {
		adaptertest.WriteJSON(w, http.StatusOK, map[string]any{"projects": []map[string]string{{"id": "p1", "name": r.URL.Query().Get("name")}}})
	})
	mux.HandleFunc("GET /v2/zones", func(w http.ResponseWriter, _ *http.Request) {
		adaptertest.WriteJSON(w, http.StatusOK, map[string]any{"zones": []map[string]string{{"id": "z1", "name": "example.com."}}})
	})
	mux.HandleFunc("GET "+sets, func(w http.ResponseWriter, r *http.Request) {
		name := strings.TrimSuffix(r.URL.Query().Get("name"), ".")
		list := []recordset{}

		if recs := store.Find(name, "TXT"); len(recs) > 0 {
			s := recordset{ID: setID(name), Name: name + ".", Type: "TXT", TTL: recs[0].TTL}
			for _, rec := range recs {
				s.Records = append(s.Records, libdnsadapter.Quote(rec.Value))
			}

			list = append(list, s)
		}

		adaptertest.WriteJSON(w, http.StatusOK, map[string]any{"recordsets": list})
	})
	write := func(w http.ResponseWriter, r *http.Request, name string) {
		var s recordset
		if !adaptertest.DecodeJSON(w, r, &s) || s.Type != "TXT" || s.TTL == 0 || strings.TrimSuffix(s.Name, ".") != name {
			fail(w, http.StatusBadRequest, "DNS.0303")

			return
		}

		var values []string
		for _, rec := range s.Records {
			values = append(values, libdnsadapter.Unquote(rec))
		}

		store.SetValues(name, values, s.TTL)
		adaptertest.WriteJSON(w, http.StatusAccepted, s)
	}
	mux.HandleFunc("POST "+sets, func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		r.Body = io.NopCloser(bytes.NewReader(body))

		var s recordset
		_ = json.Unmarshal(body, &s)

		if name := strings.TrimSuffix(s.Name, "."); len(store.Find(name, "TXT")) == 0 {
			write(w, r, name)

			return
		}

		fail(w, http.StatusBadRequest, "DNS.0312") // the set exists
	})
	mux.HandleFunc("PUT "+sets+"/{id}", func(w http.ResponseWriter, r *http.Request) {
		for _, rec := range store.Find("", "TXT") {
			if setID(rec.Name) == r.PathValue("id") {
				write(w, r, rec.Name)

				return
			}
		}

		fail(w, http.StatusNotFound, "DNS.0313")
	})
	mux.HandleFunc("DELETE "+sets+"/{id}", func(w http.ResponseWriter, r *http.Request) {
		for _, rec := range store.Find("", "TXT") {
			if setID(rec.Name) == r.PathValue("id") {
				store.SetValues(rec.Name, nil, 0)
				adaptertest.WriteJSON(w, http.StatusAccepted, map[string]string{})

				return
			}
		}

		fail(w, http.StatusNotFound, "DNS.0313")
	})

	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		r.Body = io.NopCloser(bytes.NewReader(body))

		switch {
		case !signedBy(r, body):
			fail(w, http.StatusUnauthorized, "APIGW.0301")
		case strings.HasPrefix(r.URL.Path, "/v2/") && r.Header.Get("X-Project-Id") != "p1":
			fail(w, http.StatusForbidden, "APIGW.0302")
		default:
			mux.ServeHTTP(w, r)
		}
	})
}

func TestAgainstFakeAPI(t *testing.T) {
	adaptertest.Suite{
		Secret:   secretKey,
		ReadBack: true,
		Handler:  fakeHuawei,
		New: func(_ *testing.T, baseURL, secret string, timeout time.Duration) (adaptertest.Publisher, error) {
			cfg := &Config{AccessKeyID: "ak-1", SecretAccessKey: secret, Region: "ap-southeast-1", DNSURL: baseURL, IAMURL: baseURL}
			cfg.Zone, cfg.TTL, cfg.HTTPTimeout, cfg.Settle = "example.com", 300, timeout, -1

			return NewDNSProviderConfig(cfg)
		},
		WholeSet: true,
	}.Run(t)
}
