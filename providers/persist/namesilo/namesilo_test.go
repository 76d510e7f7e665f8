package namesilo

import (
	"net/http"
	"testing"
	"time"

	"github.com/lego-persist/lego-persist/providers/persist/libdnsadapter/adaptertest"
)

const apiKey = "namesilo-key-SECRET-6"

// fakeNameSilo serves the NameSilo API's DNS operations for example.com
// over store; every reply is HTTP 200, the outcome in reply.code.
func fakeNameSilo(store *adaptertest.Store) http.Handler {
	answer := func(w http.ResponseWriter, code int, detail string, extra map[string]any) {
		reply := map[string]any{"code": code, "detail": detail}
		for k, v := range extra {
			reply[k] = v
		}

		adaptertest.WriteJSON(w, http.StatusOK, map[string]any{"request": map[string]string{}, "reply": reply})
	}

	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()

		switch {
		case r.Method != http.MethodGet || q.Get("version") != "1" || q.Get("type") != "json":
			answer(w, 101, "HTTPS not used / bad request", nil)
		case q.Get("key") != apiKey:
			answer(w, 110, "Invalid API Key", nil)
		case q.Get("domain") != "example.com":
			answer(w, 200, "Invalid Domain Syntax", nil)
		case r.URL.Path == "/dnsListRecords":
			list := []map[string]any{}
			for _, rec := range store.Find("", "") {
				list = append(list, map[string]any{"record_id": rec.ID, "type": rec.Type, "host": rec.Name, "value": rec.Value, "ttl": rec.TTL})
			}

			answer(w, 300, "success", map[string]any{"resource_record": list})
		case r.URL.Path == "/dnsAddRecord" && q.Get("rrtype") == "TXT" && q.Get("rrttl") == "3600" && q.Get("rrvalue") != "":
			answer(w, 300, "success", map[string]any{"record_id": store.Add(adaptertest.Absolute(q.Get("rrhost")), "TXT", q.Get("rrvalue"), 3600)})
		case r.URL.Path == "/dnsDeleteRecord" && store.Delete(q.Get("rrid")):
			answer(w, 300, "success", nil)
		default:
			answer(w, 280, "DNS modification error", nil)
		}
	})
}

func TestAgainstFakeAPI(t *testing.T) {
	adaptertest.Suite{
		Secret:  apiKey,
		Handler: fakeNameSilo,
		New: func(_ *testing.T, baseURL, secret string, timeout time.Duration) (adaptertest.Publisher, error) {
			cfg := &Config{APIKey: secret, BaseURL: baseURL}
			cfg.Zone, cfg.TTL, cfg.HTTPTimeout = "example.com", 3600, timeout

			return NewDNSProviderConfig(cfg)
		},
		PublishRequests: []string{"GET /dnsAddRecord"},
	}.Run(t)
}
