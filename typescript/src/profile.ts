/**
 * The profile `axme login` saves, read the same way by every SDK (REQ-CLIENT-008):
 * `config.json` in `$AXME_CONFIG_DIR`, else the platform's config dir + `axme`
 * (`%APPDATA%\axme`, `~/Library/Application Support/axme`, `$XDG_CONFIG_HOME/axme`
 * or `~/.config/axme`). Its string members `base_url` and `api_key` are the
 * fallbacks after the explicit options and the environment.
 */
import { readFileSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import { AxmeError } from "./errors.js";

export const PROFILE_FILE = "config.json";

export interface Profile {
  baseUrl?: string;
  apiKey?: string;
}

function nonBlank(value: string | undefined): string | undefined {
  return value !== undefined && value.trim() !== "" ? value.trim() : undefined;
}

/** The AXME config directory of this machine and user. */
export function configDir(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform): string {
  const override = nonBlank(env["AXME_CONFIG_DIR"]);
  if (override) return override.startsWith("~") ? join(homedir(), override.slice(1)) : override;
  if (platform === "win32") return join(nonBlank(env["APPDATA"]) ?? join(homedir(), "AppData", "Roaming"), "axme");
  if (platform === "darwin") return join(homedir(), "Library", "Application Support", "axme");
  return join(nonBlank(env["XDG_CONFIG_HOME"]) ?? join(homedir(), ".config"), "axme");
}

export function profilePath(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform): string {
  return join(configDir(env, platform), PROFILE_FILE);
}

/** The profile's values ({} without a file); AxmeError naming the file when it is unusable. */
export function readProfile(path: string = profilePath()): Profile {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return {};
    throw new AxmeError(`cannot read the AXME profile ${path}: ${(err as Error).message}`);
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err) {
    throw new AxmeError(`the AXME profile ${path} is not valid JSON: ${(err as Error).message}`);
  }
  if (typeof data !== "object" || data === null || Array.isArray(data)) {
    throw new AxmeError(`the AXME profile ${path} must contain a JSON object`);
  }
  const member = (name: string): string | undefined => {
    const value = (data as Record<string, unknown>)[name];
    if (value === undefined || value === null) return undefined;
    if (typeof value !== "string") throw new AxmeError(`the AXME profile ${path}: ${name} must be a string`);
    return nonBlank(value);
  };
  const profile: Profile = {};
  const baseUrl = member("base_url");
  const apiKey = member("api_key");
  if (baseUrl !== undefined) profile.baseUrl = baseUrl;
  if (apiKey !== undefined) profile.apiKey = apiKey;
  return profile;
}
