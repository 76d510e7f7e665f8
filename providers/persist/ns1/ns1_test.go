package ns1

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/lego-persist/lego-persist/providers/persist/libdnsadapter/adaptertest"
)

const apiKey = "ns1-key-SECRET-14"

// fakeNS1 serves NS1 TXT records of the zone example.com over store: PUT
// creates (400 when the record exists), POST updates (404 when it does not).
func fakeNS1(store *adaptertest.Store) http.Handler {
	const txt = "/zones/example.com/{name}/TXT"

	write := func(w http.ResponseWriter, r *http.Request, wantExisting bool) {
		name := r.PathValue("name")
		if exists := len(store.Find(name, "TXT")) > 0; exists != wantExisting {
			adaptertest.WriteJSON(w, map[bool]int{true: http.StatusNotFound, false: http.StatusBadRequest}[wantExisting], map[string]string{"message": "record state"})

			return
		}

		var rec txtRecord
		if !adaptertest.DecodeJSON(w, r, &rec) || rec.Domain != name || rec.Zone != "example.com" || rec.Type != "TXT" {
			return
		}

		var values []string
		for _, a := range rec.Answers {
			values = append(values, strings.Join(a.Answer, ""))
		}

		store.SetValues(name, values, rec.TTL)
		adaptertest.WriteJSON(w, http.StatusOK, rec)
	}

	mux := http.NewServeMux()
	mux.HandleFunc("GET "+txt, func(w http.ResponseWriter, r *http.Request) {
		recs := store.Find(r.PathValue("name"), "TXT")
		if len(recs) == 0 {
			adaptertest.WriteJSON(w, http.StatusNotFound, map[string]string{"message": "record not found"})

			return
		}

		rec := txtRecord{Zone: "example.com", Domain: r.PathValue("name"), Type: "TXT", TTL: recs[0].TTL}
		for _, x := range recs {
			rec.Answers = append(rec.Answers, answer{Answer: []string{x.Value}})
		}

		adaptertest.WriteJSON(w, http.StatusOK, rec)
	})
	mux.HandleFunc("PUT "+txt, func(w http.ResponseWriter, r *http.Request) { write(w, r, false) })
	mux.HandleFunc("POST "+txt, func(w http.ResponseWriter, r *http.Request) { write(w, r, true) })
	mux.HandleFunc("DELETE "+txt, func(_ http.ResponseWriter, r *http.Request) { store.SetValues(r.PathValue("name"), nil, 0) })

	return adaptertest.RequireHeader(mux, "X-NSONE-Key", apiKey, http.StatusUnauthorized, `{"message":"Unauthorized"}`)
}

func TestAgainstFakeAPI(t *testing.T) {
	adaptertest.Suite{
		Secret:   apiKey,
		ReadBack: true,
		Handler:  fakeNS1,
		New: func(_ *testing.T, baseURL, secret string, timeout time.Duration) (adaptertest.Publisher, error) {
			cfg := &Config{APIKey: secret, BaseURL: baseURL}
			cfg.Zone, cfg.TTL, cfg.HTTPTimeout, cfg.Settle = "example.com", 120, timeout, -1

			return NewDNSProviderConfig(cfg)
		},
		WholeSet: true,
		PublishRequests: []string{
			"GET /zones/example.com/_validation-persist.www.example.com/TXT",
			"GET /zones/example.com/_validation-persist.www.example.com/TXT",
			"POST /zones/example.com/_validation-persist.www.example.com/TXT",
			"GET /zones/example.com/_validation-persist.www.example.com/TXT",
		},
	}.Run(t)
}
