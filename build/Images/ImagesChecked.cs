namespace DataPlatform.Build.Images;

/// <summary>
/// The image check ran in this build (before the cluster was created, or in HelmfileApply): a later step does not ask
/// the registries again.
/// </summary>
/// <param name="Images">How many distinct images were asked about.</param>
internal sealed record ImagesChecked(int Images);
