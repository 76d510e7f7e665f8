package alidns

import (
	"net/http"
	"testing"
	"time"

	"github.com/lego-persist/lego-persist/providers/persist/libdnsadapter/adaptertest"
)

const secretKey = "ali-secret-SECRET-16"

// fakeAliDNS serves the RPC actions for example.com over store, checking
// each request's signature (Sign is checked against the documentation's
// example in sign_test.go).
func fakeAliDNS(store *adaptertest.Store) http.Handler {
	fail := func(w http.ResponseWriter, status int, code string) {
		adaptertest.WriteJSON(w, status, map[string]string{"RequestId": "r1", "Code": code, "Message": code})
	}

	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()

		switch {
		case r.Method != http.MethodGet || r.URL.Path != "/" || q.Get("Version") != apiVersion || q.Get("Format") != "JSON":
			fail(w, http.StatusBadRequest, "InvalidParameter")
		case q.Get("AccessKeyId") != "LTAI-key" || q.Get("Signature") != Sign(http.MethodGet, q, secretKey):
			fail(w, http.StatusBadRequest, "SignatureDoesNotMatch")
		case q.Get("Action") == "DescribeSubDomainRecords" && q.Get("Type") == "TXT":
			var recs []map[string]any
			for _, rec := range store.Find(q.Get("SubDomain"), "TXT") {
				rr := adaptertest.Relative(rec.Name)
				if rr == "" {
					rr = "@"
				}

				recs = append(recs, map[string]any{"RecordId": rec.ID, "RR": rr, "Type": rec.Type, "Value": rec.Value, "TTL": rec.TTL, "DomainName": "example.com"})
			}

			adaptertest.WriteJSON(w, http.StatusOK, map[string]any{"TotalCount": len(recs), "DomainRecords": map[string]any{"Record": recs}})
		case q.Get("Action") == "AddDomainRecord" && q.Get("DomainName") == "example.com" && q.Get("Type") == "TXT" && q.Get("TTL") == "600":
			adaptertest.WriteJSON(w, http.StatusOK, map[string]string{"RecordId": store.Add(adaptertest.Absolute(q.Get("RR")), "TXT", q.Get("Value"), 600)})
		case q.Get("Action") == "DeleteDomainRecord" && store.Delete(q.Get("RecordId")):
			adaptertest.WriteJSON(w, http.StatusOK, map[string]string{"RecordId": q.Get("RecordId")})
		case q.Get("Action") == "DeleteDomainRecord":
			fail(w, http.StatusBadRequest, "DomainRecordNotBelongToUser")
		default:
			fail(w, http.StatusBadRequest, "InvalidParameter")
		}
	})
}

func TestAgainstFakeAPI(t *testing.T) {
	adaptertest.Suite{
		Secret:  secretKey,
		Handler: fakeAliDNS,
		New: func(_ *testing.T, baseURL, secret string, timeout time.Duration) (adaptertest.Publisher, error) {
			cfg := &Config{AccessKey: "LTAI-key", SecretKey: secret, BaseURL: baseURL}
			cfg.Zone, cfg.TTL, cfg.HTTPTimeout = "example.com", 600, timeout

			return NewDNSProviderConfig(cfg)
		},
		PublishRequests: []string{"GET /"},
	}.Run(t)
}
