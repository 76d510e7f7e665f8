package hostingde

import (
	"net/http"
	"testing"
	"time"

	"github.com/lego-persist/lego-persist/providers/persist/libdnsadapter"
	"github.com/lego-persist/lego-persist/providers/persist/libdnsadapter/adaptertest"
)

const apiKey = "hostingde-key-SECRET-26"

// fakeHostingDE serves zoneConfigsFind and zoneUpdate for example.com over
// store; errors are HTTP 200 with status "error", as the API sends them.
func fakeHostingDE(store *adaptertest.Store) http.Handler {
	zoneConfig := map[string]any{"id": "zc-1", "name": "example.com", "type": "NATIVE", "soaValues": map[string]int{"refresh": 86400, "ttl": 3600}}

	fail := func(w http.ResponseWriter, code int, text string) {
		adaptertest.WriteJSON(w, http.StatusOK, map[string]any{"status": "error", "errors": []map[string]any{{"code": code, "text": text}}})
	}
	ok := func(w http.ResponseWriter, resp any) {
		adaptertest.WriteJSON(w, http.StatusOK, map[string]any{"status": "success", "response": resp})
	}

	mux := http.NewServeMux()
	mux.HandleFunc("POST /zoneConfigsFind", func(w http.ResponseWriter, r *http.Request) {
		var req struct {
			AuthToken string            `json:"authToken"`
			Filter    map[string]string `json:"filter"`
			Limit     int               `json:"limit"`
			Page      int               `json:"page"`
		}

		switch {
		case !adaptertest.DecodeJSON(w, r, &req):
		case req.AuthToken != apiKey:
			fail(w, 10205, "Authentication failed")
		case req.Filter["field"] != "zoneName" || req.Filter["value"] != "example.com":
			ok(w, map[string]any{"data": []any{}})
		default:
			ok(w, map[string]any{"data": []any{zoneConfig}, "totalEntries": 1})
		}
	})
	mux.HandleFunc("POST /zoneUpdate", func(w http.ResponseWriter, r *http.Request) {
		var req struct {
			AuthToken       string         `json:"authToken"`
			ZoneConfig      map[string]any `json:"zoneConfig"`
			RecordsToAdd    []record       `json:"recordsToAdd"`
			RecordsToDelete []record       `json:"recordsToDelete"`
		}

		switch {
		case !adaptertest.DecodeJSON(w, r, &req):
			return
		case req.AuthToken != apiKey:
			fail(w, 10205, "Authentication failed")

			return
		case req.ZoneConfig["id"] != "zc-1" || req.ZoneConfig["soaValues"] == nil:
			fail(w, 10100, "zoneConfig missing or changed")

			return
		}

		for _, rec := range append(req.RecordsToAdd, req.RecordsToDelete...) {
			if rec.Type != "TXT" || rec.Content != libdnsadapter.Quote(libdnsadapter.Unquote(rec.Content)) {
				fail(w, 10101, "invalid record")

				return
			}
		}

		for _, rec := range req.RecordsToAdd {
			store.Add(rec.Name, "TXT", libdnsadapter.Unquote(rec.Content), rec.TTL)
		}

		for _, rec := range req.RecordsToDelete {
			for _, have := range store.Find(rec.Name, "TXT") {
				if have.Value == libdnsadapter.Unquote(rec.Content) {
					store.Delete(have.ID)
				}
			}
		}

		ok(w, map[string]any{"zoneConfig": zoneConfig, "records": []any{}})
	})

	return mux
}

func TestAgainstFakeAPI(t *testing.T) {
	adaptertest.Suite{
		Secret:  apiKey,
		Handler: fakeHostingDE,
		New: func(_ *testing.T, baseURL, secret string, timeout time.Duration) (adaptertest.Publisher, error) {
			cfg := &Config{APIKey: secret, BaseURL: baseURL}
			cfg.Zone, cfg.TTL, cfg.HTTPTimeout = "example.com", 120, timeout

			return NewDNSProviderConfig(cfg)
		},
		PublishRequests: []string{"POST /zoneConfigsFind", "POST /zoneUpdate"},
	}.Run(t)
}
