namespace DataPlatform.Build.Platform;

/// <summary>
/// IMAGE_CACHE in .env (or .env.local, or the environment): `on` runs the pull-through mirrors of kind-config.yaml,
/// `off` runs none (containerd then pulls from the upstream registries, as it falls back to them anyway).
/// </summary>
internal static class ImageCacheSetting
{
    public const string Variable = "IMAGE_CACHE";

    /// <summary>On unless set; any value but on/off is an error naming the variable (a typo must not silently disable it).</summary>
    public static bool IsOn(PlatformEnvironment variables) => variables.Find(Variable)?.Trim().ToLowerInvariant() switch
    {
        null or "" or "on" => true,
        "off" => false,
        var other => throw new ConfigFileException(".env",
            $"{Variable} is '{other}': write {Variable}=on to cache images across Clean, or {Variable}=off to pull straight from the registries."),
    };
}
