package azuredns

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	azcloud "github.com/Azure/azure-sdk-for-go/sdk/azcore/cloud"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/Azure/azure-sdk-for-go/sdk/azidentity"
)

// defaultMSITimeout bounds a managed identity token request, as lego's
// AZURE_AUTH_MSI_TIMEOUT default.
const defaultMSITimeout = 2 * time.Second

// credential builds the azidentity credential cfg.AuthMethod names, its
// token requests sent through hc to the identity platform at authority.
func credential(cfg *Config, authority string, hc *http.Client) (azcore.TokenCredential, error) {
	opts := azcore.ClientOptions{
		Cloud:     azcloud.Configuration{ActiveDirectoryAuthorityHost: authority + "/"},
		Transport: hc,
	}

	secret := cfg.TenantID != "" && cfg.ClientID != "" && cfg.ClientSecret != ""

	// Instance discovery asks the public cloud about the authority; an
	// authority that is none of the clouds' (a sovereign or private one,
	// a test server) must not be sent there.
	private := true

	for _, c := range clouds() {
		if c.authorityHost == authority {
			private = false
		}
	}

	switch m := strings.ToLower(cfg.AuthMethod); m {
	case "", "env":
		if secret {
			return azidentity.NewClientSecretCredential(cfg.TenantID, cfg.ClientID, cfg.ClientSecret,
				&azidentity.ClientSecretCredentialOptions{ClientOptions: opts, DisableInstanceDiscovery: private})
		}

		if m == "env" {
			return azidentity.NewEnvironmentCredential(&azidentity.EnvironmentCredentialOptions{ClientOptions: opts})
		}

		return azidentity.NewDefaultAzureCredential(&azidentity.DefaultAzureCredentialOptions{
			ClientOptions: opts, TenantID: cfg.TenantID, DisableInstanceDiscovery: private,
		})

	case "wli":
		return azidentity.NewWorkloadIdentityCredential(&azidentity.WorkloadIdentityCredentialOptions{
			ClientOptions: opts, TenantID: cfg.TenantID, ClientID: cfg.ClientID, DisableInstanceDiscovery: private,
		})

	case "msi":
		mo := &azidentity.ManagedIdentityCredentialOptions{ClientOptions: opts}
		if cfg.ClientID != "" {
			mo.ID = azidentity.ClientID(cfg.ClientID)
		}

		cred, err := azidentity.NewManagedIdentityCredential(mo)
		if err != nil {
			return nil, err
		}

		timeout := cfg.AuthMSITimeout
		if timeout <= 0 {
			timeout = defaultMSITimeout
		}

		return timeoutCredential{cred: cred, timeout: timeout}, nil

	case "cli":
		return azidentity.NewAzureCLICredential(&azidentity.AzureCLICredentialOptions{TenantID: cfg.TenantID})

	case "oidc":
		if cfg.TenantID == "" || cfg.ClientID == "" || (cfg.OIDCToken == "" && cfg.OIDCTokenFile == "") {
			return nil, fmt.Errorf("%s=oidc needs %s, %s and %s (or %s)", EnvAuthMethod, EnvTenantID, EnvClientID, EnvOIDCToken, EnvOIDCTokenFile)
		}

		return azidentity.NewClientAssertionCredential(cfg.TenantID, cfg.ClientID, oidcAssertion(cfg),
			&azidentity.ClientAssertionCredentialOptions{ClientOptions: opts, DisableInstanceDiscovery: private})

	default:
		return nil, fmt.Errorf("%s=%s is not supported: use env, wli, msi, cli or oidc", EnvAuthMethod, cfg.AuthMethod)
	}
}

// oidcAssertion returns the federated token, read from the file at each
// request when one is configured (projected tokens are rotated).
func oidcAssertion(cfg *Config) func(context.Context) (string, error) {
	return func(context.Context) (string, error) {
		if cfg.OIDCTokenFile == "" {
			return cfg.OIDCToken, nil
		}

		b, err := os.ReadFile(cfg.OIDCTokenFile)
		if err != nil {
			return "", fmt.Errorf("reading %s: %w", EnvOIDCTokenFile, err)
		}

		tok := strings.TrimSpace(string(b))
		if tok == "" {
			return "", errors.New(EnvOIDCTokenFile + ": the file is empty")
		}

		return tok, nil
	}
}

// timeoutCredential bounds each token request: on a machine without a
// managed identity endpoint the request would otherwise hang until the
// whole publish times out.
type timeoutCredential struct {
	cred    azcore.TokenCredential
	timeout time.Duration
}

func (c timeoutCredential) GetToken(ctx context.Context, opts policy.TokenRequestOptions) (azcore.AccessToken, error) {
	ctx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()

	return c.cred.GetToken(ctx, opts)
}
