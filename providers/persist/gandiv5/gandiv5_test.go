package gandiv5

import (
	"net/http"
	"testing"
	"time"

	"github.com/lego-persist/lego-persist/providers/persist/libdnsadapter"
	"github.com/lego-persist/lego-persist/providers/persist/libdnsadapter/adaptertest"
)

const pat = "gandi-pat-SECRET-12"

// fakeGandi serves LiveDNS record sets of example.com over store.
func fakeGandi(store *adaptertest.Store) http.Handler {
	const txt = "/domains/example.com/records/{name}/TXT"

	mux := http.NewServeMux()
	mux.HandleFunc("GET "+txt, func(w http.ResponseWriter, r *http.Request) {
		recs := store.Find(adaptertest.Absolute(r.PathValue("name")), "TXT")
		if len(recs) == 0 {
			adaptertest.WriteJSON(w, http.StatusNotFound, map[string]any{"code": 404, "message": "Can't find the DNS record"})

			return
		}

		set := rrset{TTL: recs[0].TTL, Values: []string{}}
		for _, rec := range recs {
			set.Values = append(set.Values, libdnsadapter.Quote(rec.Value))
		}

		adaptertest.WriteJSON(w, http.StatusOK, set)
	})
	mux.HandleFunc("PUT "+txt, func(w http.ResponseWriter, r *http.Request) {
		var set rrset
		if !adaptertest.DecodeJSON(w, r, &set) {
			return
		}

		var values []string

		for _, v := range set.Values {
			if v != libdnsadapter.Quote(libdnsadapter.Unquote(v)) || set.TTL != 300 {
				adaptertest.WriteJSON(w, http.StatusBadRequest, map[string]any{"code": 400, "message": "invalid rrset"})

				return
			}

			values = append(values, libdnsadapter.Unquote(v))
		}

		store.SetValues(adaptertest.Absolute(r.PathValue("name")), values, set.TTL)
		adaptertest.WriteJSON(w, http.StatusCreated, map[string]string{"message": "DNS Record Created"})
	})
	mux.HandleFunc("DELETE "+txt, func(w http.ResponseWriter, r *http.Request) {
		store.SetValues(adaptertest.Absolute(r.PathValue("name")), nil, 0)
		w.WriteHeader(http.StatusNoContent)
	})

	return adaptertest.RequireHeader(mux, "Authorization", "Bearer "+pat, http.StatusForbidden, `{"code":403,"message":"Access was denied to this resource."}`)
}

func TestAgainstFakeAPI(t *testing.T) {
	adaptertest.Suite{
		Secret:   pat,
		ReadBack: true,
		Handler:  fakeGandi,
		New: func(_ *testing.T, baseURL, secret string, timeout time.Duration) (adaptertest.Publisher, error) {
			cfg := &Config{PersonalAccessToken: secret, BaseURL: baseURL}
			cfg.Zone, cfg.TTL, cfg.HTTPTimeout, cfg.Settle = "example.com", 300, timeout, -1

			return NewDNSProviderConfig(cfg)
		},
		WholeSet: true,
		PublishRequests: []string{
			"GET /domains/example.com/records/_validation-persist.www/TXT",
			"GET /domains/example.com/records/_validation-persist.www/TXT",
			"PUT /domains/example.com/records/_validation-persist.www/TXT",
			"GET /domains/example.com/records/_validation-persist.www/TXT",
		},
	}.Run(t)
}
