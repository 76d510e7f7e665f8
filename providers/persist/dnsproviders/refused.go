package dnsproviders

// refused lists lego providers whose API cannot keep a dns-persist-01
// record safely: --dns-persist NAME fails with the reason, and the docs
// say it.
func refused() []provider {
	return []provider{
		{Info: Info{
			Name:        "namecheap",
			Description: "Namecheap API: refused.",
			Refused: "Namecheap's API has no call that adds one record: domains.dns.setHosts replaces every host " +
				"record of the domain at once, so publishing would rewrite the whole zone from a read of it (losing " +
				"whatever another writer or the web panel changed in between, and any setting getHosts does not " +
				"return). Publish the record by hand (`lego-persist record`), through `exec`, or delegate " +
				"`_validation-persist` by CNAME to a zone at a host with a record API.",
		}},
		{Info: Info{
			Name:        "duckdns",
			Description: "Duck DNS: refused.",
			Refused: "Duck DNS keeps one TXT value per domain (update?txt= replaces it), so a record for a second CA " +
				"or account would delete the first. Delegate `_validation-persist` by CNAME to a zone that can hold " +
				"several TXT values.",
		}},
	}
}
