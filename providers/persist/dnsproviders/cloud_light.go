//go:build light

package dnsproviders

// cloud, in the light build, knows the cloud publishers by name only:
// NewPublisher refuses each with an error naming the full build, and
// `dnshelp` lists them as such. None of their code or SDKs is linked.
func cloud() []provider {
	ps := make([]provider, 0, len(cloudNames))

	for _, n := range cloudNames {
		ps = append(ps, provider{
			Info: Info{
				Name:        n.name,
				Aliases:     n.aliases,
				Description: "Not in the light build of lego-persist; the full build has it.",
				Refused:     "not in the light build; use the full lego-persist build",
			},
		})
	}

	return ps
}
