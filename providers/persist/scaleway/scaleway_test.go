package scaleway

import (
	"net/http"
	"testing"
	"time"

	"github.com/lego-persist/lego-persist/providers/persist/libdnsadapter"
	"github.com/lego-persist/lego-persist/providers/persist/libdnsadapter/adaptertest"
)

const secretKey = "scw-secret-SECRET-10"

// fakeScaleway serves the Domain API's records of the zone example.com.
func fakeScaleway(store *adaptertest.Store) http.Handler {
	const records = "/domain/v2beta1/dns-zones/example.com/records"

	mux := http.NewServeMux()
	mux.HandleFunc("GET "+records, func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		list := []record{}

		for _, rec := range store.Find(adaptertest.Absolute(q.Get("name")), q.Get("type")) {
			list = append(list, record{ID: rec.ID, Name: adaptertest.Relative(rec.Name), Type: rec.Type, Data: libdnsadapter.Quote(rec.Value), TTL: rec.TTL})
		}

		adaptertest.WriteJSON(w, http.StatusOK, map[string]any{"records": list, "total_count": len(list)})
	})
	mux.HandleFunc("PATCH "+records, func(w http.ResponseWriter, r *http.Request) {
		var req struct {
			Changes          []change `json:"changes"`
			ReturnAllRecords bool     `json:"return_all_records"`
		}

		if !adaptertest.DecodeJSON(w, r, &req) {
			return
		}

		for _, c := range req.Changes {
			switch {
			case c.Add != nil:
				for _, rec := range c.Add.Records {
					if rec.Type != "TXT" || rec.TTL != 60 || rec.Data != libdnsadapter.Quote(libdnsadapter.Unquote(rec.Data)) {
						adaptertest.WriteJSON(w, http.StatusBadRequest, map[string]string{"message": "invalid record"})

						return
					}

					store.Add(adaptertest.Absolute(rec.Name), rec.Type, libdnsadapter.Unquote(rec.Data), rec.TTL)
				}
			case c.Delete != nil && store.Delete(c.Delete.ID):
			default:
				adaptertest.WriteJSON(w, http.StatusNotFound, map[string]string{"message": "record not found"})

				return
			}
		}

		adaptertest.WriteJSON(w, http.StatusOK, map[string]any{"records": []record{}})
	})

	return adaptertest.RequireHeader(mux, "X-Auth-Token", secretKey, http.StatusUnauthorized, `{"message":"authentication is denied","type":"denied_authentication"}`)
}

func TestAgainstFakeAPI(t *testing.T) {
	adaptertest.Suite{
		Secret:  secretKey,
		Handler: fakeScaleway,
		New: func(_ *testing.T, baseURL, secret string, timeout time.Duration) (adaptertest.Publisher, error) {
			cfg := &Config{SecretKey: secret, BaseURL: baseURL}
			cfg.Zone, cfg.TTL, cfg.HTTPTimeout = "example.com", 60, timeout

			return NewDNSProviderConfig(cfg)
		},
		PublishRequests: []string{"PATCH /domain/v2beta1/dns-zones/example.com/records"},
	}.Run(t)
}
