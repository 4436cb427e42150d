package axme

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"
)

// ProfileFile is the file `axme login` writes in the config directory.
const ProfileFile = "config.json"

// ConfigDir is the AXME config directory (REQ-CLIENT-008): $AXME_CONFIG_DIR,
// else %APPDATA%\axme on Windows, ~/Library/Application Support/axme on macOS,
// $XDG_CONFIG_HOME/axme or ~/.config/axme elsewhere.
func ConfigDir() string {
	home, _ := os.UserHomeDir()
	return configDirFor(os.Getenv, runtime.GOOS, home)
}

// ProfilePath is where `axme login` saves the profile the client falls back to.
func ProfilePath() string {
	return filepath.Join(ConfigDir(), ProfileFile)
}

func configDirFor(getenv func(string) string, goos, home string) string {
	if dir := strings.TrimSpace(getenv("AXME_CONFIG_DIR")); dir != "" {
		if dir == "~" || strings.HasPrefix(dir, "~/") {
			dir = filepath.Join(home, dir[1:])
		}
		return dir
	}
	switch goos {
	case "windows":
		if appData := strings.TrimSpace(getenv("APPDATA")); appData != "" {
			return filepath.Join(appData, "axme")
		}
		return filepath.Join(home, "AppData", "Roaming", "axme")
	case "darwin", "ios":
		return filepath.Join(home, "Library", "Application Support", "axme")
	}
	if xdg := strings.TrimSpace(getenv("XDG_CONFIG_HOME")); xdg != "" {
		return filepath.Join(xdg, "axme")
	}
	return filepath.Join(home, ".config", "axme")
}

// profile holds the members of the profile the SDK reads; others are ignored.
type profile struct {
	BaseURL string
	APIKey  string
}

// readProfile reads path; no file means an empty profile. An unusable file is
// an error naming it.
func readProfile(path string) (profile, error) {
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return profile{}, nil
	}
	if err != nil {
		return profile{}, fmt.Errorf("axme: cannot read the AXME profile %s: %w", path, err)
	}
	var members map[string]any
	if err := json.Unmarshal(data, &members); err != nil || members == nil {
		return profile{}, fmt.Errorf("axme: the AXME profile %s must contain a JSON object", path)
	}
	str := func(name string) (string, error) {
		switch v := members[name].(type) {
		case nil:
			return "", nil
		case string:
			return strings.TrimSpace(v), nil
		default:
			return "", fmt.Errorf("axme: the AXME profile %s: %s must be a string", path, name)
		}
	}
	var p profile
	if p.BaseURL, err = str("base_url"); err != nil {
		return profile{}, err
	}
	if p.APIKey, err = str("api_key"); err != nil {
		return profile{}, err
	}
	return p, nil
}
