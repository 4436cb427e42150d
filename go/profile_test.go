package axme

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const localURL = "http://127.0.0.1:8100"

// withProfile points AXME_CONFIG_DIR at a directory holding content as the
// profile (none when content is empty) and clears the environment's values.
func withProfile(t *testing.T, content string) string {
	t.Helper()
	dir := t.TempDir()
	path := filepath.Join(dir, ProfileFile)
	if content != "" {
		if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	t.Setenv("AXME_CONFIG_DIR", dir)
	t.Setenv("AXME_API_KEY", "")
	t.Setenv("AXME_BASE_URL", "")
	return path
}

// The profile `axme login` saved fills what neither config nor environment
// gives, before the public default (REQ-CLIENT-001, REQ-CLIENT-008).
func TestProfileIsTheFallbackAfterTheEnvironment(t *testing.T) {
	withProfile(t, `{"base_url":"`+localURL+`","api_key":"axme_admin_p_s","other":1}`)
	c, err := NewClient(ClientConfig{})
	if err != nil || c.BaseURL() != localURL || c.apiKey != "axme_admin_p_s" {
		t.Fatalf("from the profile: %v %v", c, err)
	}
	t.Setenv("AXME_BASE_URL", "http://env.test")
	if c, _ := NewClient(ClientConfig{}); c.BaseURL() != "http://env.test" || c.apiKey != "axme_admin_p_s" {
		t.Fatalf("the environment wins: %s", c.BaseURL())
	}
	if c, _ := NewClient(ClientConfig{APIKey: "k", BaseURL: "http://given.test"}); c.BaseURL() != "http://given.test" || c.apiKey != "k" {
		t.Fatalf("the config wins: %s", c.BaseURL())
	}
}

func TestWithoutAProfileTheDefaultsApply(t *testing.T) {
	withProfile(t, "")
	if c, err := NewClient(ClientConfig{APIKey: "k"}); err != nil || c.BaseURL() != defaultBaseURL {
		t.Fatalf("default URL: %v %v", c, err)
	}
	if _, err := NewClient(ClientConfig{}); err == nil || !strings.Contains(err.Error(), "axme login") {
		t.Fatalf("no key: %v", err)
	}
	withProfile(t, `{"base_url":"`+localURL+`"}`)
	if c, err := NewClient(ClientConfig{APIKey: "k"}); err != nil || c.BaseURL() != localURL {
		t.Fatalf("profile URL: %v %v", c, err)
	}
	if _, err := NewClient(ClientConfig{}); err == nil {
		t.Fatal("a profile without a key gave a client")
	}
}

func TestABrokenProfileIsAnErrorNamingIt(t *testing.T) {
	for _, content := range []string{"{not json", "[1]", `{"base_url":8100}`, `{"api_key":["x"]}`} {
		path := withProfile(t, content)
		if _, err := NewClient(ClientConfig{}); err == nil || !strings.Contains(err.Error(), path) {
			t.Errorf("%s: %v", content, err)
		}
		if _, err := NewClient(ClientConfig{APIKey: "k", BaseURL: localURL}); err != nil {
			t.Errorf("%s read although nothing was missing: %v", content, err)
		}
	}
}

func TestConfigDirPerPlatform(t *testing.T) {
	env := func(vars map[string]string) func(string) string { return func(k string) string { return vars[k] } }
	home := "/home/u"
	cases := []struct {
		vars map[string]string
		goos string
		want string
	}{
		{map[string]string{"AXME_CONFIG_DIR": "/x/cfg", "XDG_CONFIG_HOME": "/xdg"}, "linux", "/x/cfg"},
		{map[string]string{"XDG_CONFIG_HOME": "/xdg"}, "linux", "/xdg/axme"},
		{map[string]string{"XDG_CONFIG_HOME": " "}, "linux", "/home/u/.config/axme"},
		{nil, "darwin", "/home/u/Library/Application Support/axme"},
		{map[string]string{"APPDATA": "/appdata"}, "windows", filepath.Join("/appdata", "axme")},
	}
	for _, tc := range cases {
		if got := configDirFor(env(tc.vars), tc.goos, home); got != tc.want {
			t.Errorf("%s %v: got %s, want %s", tc.goos, tc.vars, got, tc.want)
		}
	}
}

// Connection errors name the URL tried (REQ-CLIENT-009).
func TestConnectionErrorsNameTheURL(t *testing.T) {
	c, err := NewClient(ClientConfig{APIKey: "k", BaseURL: "http://127.0.0.1:9", MaxRetries: Ptr(0)})
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.ListIntents(context.Background(), &ListIntentsParams{Limit: Ptr(1)})
	if !errors.Is(err, ErrConnection) || !strings.Contains(err.Error(), "http://127.0.0.1:9/v1/intents") {
		t.Fatalf("got %v", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 0)
	defer cancel()
	if _, err := c.GetIntent(ctx, "i1"); err == nil || !strings.Contains(err.Error(), "http://127.0.0.1:9/v1/intents/i1") {
		t.Fatalf("deadline: %v", err)
	}
}
