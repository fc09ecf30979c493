namespace DataPlatform.Build.Images;

/// <summary>One image a release will run, as `helmfile template` rendered it.</summary>
internal sealed record ReleaseImage(string Release, string Image);
