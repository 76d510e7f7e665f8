// Package azuredns publishes dns-persist-01 records in Azure DNS (public
// zones), configured with lego's AZURE_* environment variables. Its name is
// lego's: "azuredns".
//
// It talks to the Azure DNS REST API itself (net/http only), because
// libdns/azure v0.5.0 cannot add a value next to others (it creates with
// If-None-Match: *, which fails when any TXT record exists at the name) and
// deletes whole record sets. Publish reads the TXT record set at the name
// and writes it back with the value added, under If-Match with the set's
// ETag (If-None-Match: * when there is no set yet), so a concurrent writer's
// value is never lost: on 412 Precondition Failed it reads and tries once
// more. Unpublish writes the set back without exactly that value, or
// deletes it (If-Match) when it was the only one. Other properties of the
// set (TTL, metadata) are kept. Values over 255 octets are written as
// several character-strings.
//
// Authentication is azidentity's, chosen by AZURE_AUTH_METHOD as in lego:
// env (a client secret, else azidentity's environment credential), wli
// (workload identity), msi (managed identity, bounded by
// AZURE_AUTH_MSI_TIMEOUT), cli (the Azure CLI's login), oidc (a federated
// token in AZURE_OIDC_TOKEN or AZURE_OIDC_TOKEN_FILE_PATH); unset, a client
// secret when one is configured, else azidentity's default chain. Private
// zones, Azure Pipelines credentials and lego's resource-group discovery
// are not supported and are refused with a hint.
package azuredns

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/go-acme/lego/v4/platform/config/env"

	"github.com/lego-persist/lego-persist/providers/persist/httpapi"
	"github.com/lego-persist/lego-persist/providers/persist/libdnsadapter"
)

// Environment variable names: lego's (each also as NAME_FILE), plus
// AZURE_AUTHORITY_HOST (the Azure SDK's) and AZURE_RESOURCE_MANAGER_ENDPOINT
// (lego-persist's) to reach other clouds or a test server.
const (
	EnvEnvironment    = "AZURE_ENVIRONMENT"
	EnvSubscriptionID = "AZURE_SUBSCRIPTION_ID"
	EnvResourceGroup  = "AZURE_RESOURCE_GROUP"
	EnvZoneName       = "AZURE_ZONE_NAME"
	EnvPrivateZone    = "AZURE_PRIVATE_ZONE"
	EnvTenantID       = "AZURE_TENANT_ID"
	EnvClientID       = "AZURE_CLIENT_ID"
	EnvClientSecret   = "AZURE_CLIENT_SECRET"
	EnvAuthMethod     = "AZURE_AUTH_METHOD"
	EnvAuthMSITimeout = "AZURE_AUTH_MSI_TIMEOUT"
	EnvOIDCToken      = "AZURE_OIDC_TOKEN"
	EnvOIDCTokenFile  = "AZURE_OIDC_TOKEN_FILE_PATH"

	EnvAuthorityHost           = "AZURE_AUTHORITY_HOST"
	EnvResourceManagerEndpoint = "AZURE_RESOURCE_MANAGER_ENDPOINT"
)

const defaultTTL = 60 // lego's default

// cloud is one Azure environment's endpoints.
type cloud struct {
	authorityHost   string
	resourceManager string
}

// clouds are the values of AZURE_ENVIRONMENT, as lego reads them.
func clouds() map[string]cloud {
	return map[string]cloud{
		"public":       {"https://login.microsoftonline.com", "https://management.azure.com"},
		"usgovernment": {"https://login.microsoftonline.us", "https://management.usgovcloudapi.net"},
		"china":        {"https://login.chinacloudapi.cn", "https://management.chinacloudapi.cn"},
	}
}

// Config configures a DNSProvider.
type Config struct {
	libdnsadapter.Options

	// AuthMethod is lego's AZURE_AUTH_METHOD: "" (a client secret when
	// ClientSecret is set, else azidentity's default chain), "env", "wli",
	// "msi", "cli" or "oidc".
	AuthMethod string

	TenantID     string
	ClientID     string
	ClientSecret string

	// AuthMSITimeout bounds a managed identity token request ("msi");
	// 2 seconds when zero, as lego.
	AuthMSITimeout time.Duration

	// OIDCToken is the federated token of "oidc" (or OIDCTokenFile, read
	// at each token request).
	OIDCToken     string
	OIDCTokenFile string

	// Credential, when set, is used instead of the one AuthMethod names.
	Credential azcore.TokenCredential

	// HTTPClient, when set, sends every request (its Transport, under the
	// Publish or Unpublish timeout): a proxy, or a test server's client.
	HTTPClient *http.Client

	SubscriptionID string
	ResourceGroup  string

	// Environment is "public" (when empty), "usgovernment" or "china".
	Environment string

	// AuthorityHost and ResourceManagerEndpoint replace the environment's
	// endpoints when set ("https://login.microsoftonline.com",
	// "https://management.azure.com").
	AuthorityHost           string
	ResourceManagerEndpoint string
}

// DNSProvider publishes dns-persist-01 records in Azure DNS (public or private zones). It implements
// persist.Publisher (Publish adds one TXT value next to the others at the
// name) and persist.Unpublisher (Unpublish removes exactly that value);
// errors are one line, without credentials (see libdnsadapter.Publisher).
type DNSProvider struct{ *libdnsadapter.Publisher }

// NewDefaultConfig reads AZURE_ZONE (else AZURE_ZONE_NAME), AZURE_TTL,
// AZURE_HTTP_TIMEOUT, AZURE_SUBSCRIPTION_ID, AZURE_RESOURCE_GROUP,
// AZURE_ENVIRONMENT, AZURE_AUTHORITY_HOST and
// AZURE_RESOURCE_MANAGER_ENDPOINT.
func NewDefaultConfig() *Config {
	cfg := &Config{
		Options:                 libdnsadapter.ReadOptions(defaultTTL, "AZURE_"),
		SubscriptionID:          env.GetOrFile(EnvSubscriptionID),
		ResourceGroup:           env.GetOrFile(EnvResourceGroup),
		Environment:             env.GetOrFile(EnvEnvironment),
		AuthorityHost:           env.GetOrFile(EnvAuthorityHost),
		ResourceManagerEndpoint: env.GetOrFile(EnvResourceManagerEndpoint),
	}

	if cfg.Zone == "" {
		cfg.Zone = env.GetOrFile(EnvZoneName)
	}

	return cfg
}

// NewDNSProvider reads the configuration from the environment.
func NewDNSProvider() (*DNSProvider, error) {
	cfg := NewDefaultConfig()
	cfg.TenantID = env.GetOrFile(EnvTenantID)
	cfg.ClientID = env.GetOrFile(EnvClientID)
	cfg.ClientSecret = env.GetOrFile(EnvClientSecret)
	cfg.AuthMethod = env.GetOrFile(EnvAuthMethod)
	cfg.AuthMSITimeout = env.GetOrDefaultSecond(EnvAuthMSITimeout, 0)
	cfg.OIDCToken = env.GetOrFile(EnvOIDCToken)
	cfg.OIDCTokenFile = env.GetOrFile(EnvOIDCTokenFile)

	if env.GetOrDefaultBool(EnvPrivateZone, false) {
		return nil, errors.New("azuredns: private zones (" + EnvPrivateZone + ") are not supported")
	}

	if err := cfg.UseSystemResolvers(); err != nil {
		return nil, fmt.Errorf("azuredns: %w (or set %s)", err, EnvZoneName)
	}

	return NewDNSProviderConfig(cfg)
}

// NewDNSProviderConfig checks cfg and returns a publisher.
func NewDNSProviderConfig(cfg *Config) (*DNSProvider, error) {
	if cfg == nil {
		return nil, errors.New("azuredns: no configuration given")
	}

	cl, err := newClient(cfg)
	if err != nil {
		return nil, err
	}

	opts := cfg.Options
	if opts.TTL <= 0 {
		opts.TTL = defaultTTL
	}

	return libdnsadapter.NewAs[DNSProvider](opts.Config("azuredns", cfg.ClientSecret), cl)
}

// newClient checks the credentials and endpoints of cfg.
func newClient(cfg *Config) (*client, error) {

	var missing []string

	for _, v := range []struct{ name, value string }{
		{EnvSubscriptionID, cfg.SubscriptionID}, {EnvResourceGroup, cfg.ResourceGroup},
	} {
		if v.value == "" {
			missing = append(missing, v.name)
		}
	}

	if len(missing) > 0 {
		return nil, fmt.Errorf("azuredns: missing %s (lego's resource-group discovery is not supported)", strings.Join(missing, ", "))
	}

	envName := strings.ToLower(cfg.Environment)
	if envName == "" {
		envName = "public"
	}

	c, ok := clouds()[envName]
	if !ok {
		return nil, fmt.Errorf("azuredns: unknown %s %q: want public, usgovernment or china", EnvEnvironment, cfg.Environment)
	}

	authority, err := endpoint(EnvAuthorityHost, cfg.AuthorityHost, c.authorityHost)
	if err != nil {
		return nil, err
	}

	arm, err := endpoint(EnvResourceManagerEndpoint, cfg.ResourceManagerEndpoint, c.resourceManager)
	if err != nil {
		return nil, err
	}

	httpClient, err := httpapi.NewHTTPClient(cfg.HTTPTimeout, "", "")
	if err != nil {
		return nil, fmt.Errorf("azuredns: %w", err)
	}

	if cfg.HTTPClient != nil {
		httpClient.Transport.(*httpapi.Transport).Base = cfg.HTTPClient.Transport
	}

	cred := cfg.Credential
	if cred == nil {
		if cred, err = credential(cfg, authority, httpClient); err != nil {
			return nil, fmt.Errorf("azuredns: %w", err)
		}
	}

	return &client{
		http:  httpClient,
		cred:  cred,
		scope: arm + "/.default",
		zonesURL: arm + "/subscriptions/" + url.PathEscape(cfg.SubscriptionID) + "/resourceGroups/" +
			url.PathEscape(cfg.ResourceGroup) + "/providers/Microsoft.Network/dnsZones",
	}, nil
}

// endpoint returns value (or def when empty) as a base URL without a
// trailing slash.
func endpoint(name, value, def string) (string, error) {
	if value == "" {
		return def, nil
	}

	u, err := url.Parse(value)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.User != nil {
		return "", fmt.Errorf("azuredns: %s: want an http:// or https:// URL with a host", name)
	}

	return strings.TrimSuffix(value, "/"), nil
}

// Describe documents the provider for lego-persist dnshelp.
func Describe() libdnsadapter.Description {
	return libdnsadapter.Description{
		Name:       "azuredns",
		Aliases:    []string{"azure"}, // lego's deprecated name for Azure DNS, same variables
		Backing:    "own client (Azure DNS REST API 2018-05-01, net/http); SDK azidentity v1.13.1 for the token",
		Safety:     libdnsadapter.SafeConditional + ": the set is written under its If-Match ETag; a 412 means a concurrent change: read again and retry once.",
		LongValues: libdnsadapter.LongSplit,
		Description: "Azure DNS REST API, public zones; azidentity credentials (client secret, workload or managed identity, Azure CLI, OIDC) chosen as lego's AZURE_AUTH_METHOD. Publish writes the " +
			"TXT record set at the name back with the new value added, under its ETag (a concurrent change is read " +
			"and retried once); unpublish writes it back without exactly that value, or deletes it when it was the " +
			"only one.",
		Env: append([]libdnsadapter.EnvVar{
			{Name: EnvAuthMethod, Description: "env, wli (workload identity), msi (managed identity), cli (Azure CLI) or oidc; unset: the client secret if set, else azidentity's default chain"},
			{Name: EnvTenantID, Description: "Tenant (directory) ID"},
			{Name: EnvClientID, Description: "Client (application) ID of the service principal or user-assigned identity"},
			{Name: EnvClientSecret, Description: "Client secret of the service principal"},
			{Name: EnvAuthMSITimeout, Description: "Seconds a managed identity token request may take (default 2)"},
			{Name: EnvOIDCToken, Description: "Federated token for oidc (or " + EnvOIDCTokenFile + ", a file holding it)"},
			{Name: EnvOIDCTokenFile, Description: "File holding the federated token for oidc"},
			{Name: EnvSubscriptionID, Description: "Subscription holding the DNS zone", Required: true},
			{Name: EnvResourceGroup, Description: "Resource group holding the DNS zone", Required: true},
			{Name: EnvZoneName, Description: "Name of the DNS zone in Azure (same as AZURE_ZONE)"},
			{Name: EnvEnvironment, Description: "Azure cloud: public (default), usgovernment or china"},
			{Name: EnvAuthorityHost, Description: "Microsoft identity platform URL, replacing the cloud's (Azure SDK name)"},
			{Name: EnvResourceManagerEndpoint, Description: "Azure Resource Manager URL, replacing the cloud's (lego-persist's own)"},
		}, libdnsadapter.CommonEnv("AZURE_", defaultTTL)...),
	}
}
