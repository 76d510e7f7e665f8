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
			Name:        "acme-dns",
			Description: "acme-dns: refused.",
			Refused: "acme-dns keeps only the two most recent TXT values of its subdomain (each update replaces " +
				"the older one), so it cannot keep a persistent record next to another CA's or account's. Publish " +
				"`_validation-persist` in the zone itself, or CNAME it to a zone at a host with a record API.",
		}},
		{Info: Info{
			Name:        "freemyip",
			Description: "freemyip: refused.",
			Refused: "freemyip sets the one TXT value of a name (txt= replaces it), so a record for a second CA or " +
				"account would delete the first. Delegate `_validation-persist` by CNAME to a zone that can hold " +
				"several TXT values.",
		}},
		{Info: Info{
			Name:        "hurricane",
			Description: "Hurricane Electric dynamic TXT: refused.",
			Refused: "Hurricane Electric's dynamic DNS update replaces the value of one pre-created TXT record, so a " +
				"second value at the name would overwrite the first. Publish the record by hand in the " +
				"dns.he.net panel (`lego-persist record` prints it), or delegate `_validation-persist` by CNAME.",
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
