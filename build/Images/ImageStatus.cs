namespace DataPlatform.Build.Images;

internal enum ImageState
{
    /// <summary>The registry has a manifest for this tag or digest.</summary>
    Exists,
    /// <summary>The registry says the repository or the tag does not exist (404).</summary>
    Missing,
    /// <summary>The registry refused for now (429): a warning, the pull may still work later.</summary>
    RateLimited,
    /// <summary>No verdict: unreachable, no answer in time, a login needed, or an answer we do not know.</summary>
    Unverified,
}

/// <summary>What the registry said about one image, in words a person can act on.</summary>
internal sealed record ImageStatus(ImageState State, string Detail);
