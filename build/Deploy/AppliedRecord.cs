namespace DataPlatform.Build.Deploy;

/// <summary>What the cluster remembers of the last successful `helmfile apply`: when, and the hashes of its inputs.</summary>
internal sealed record AppliedRecord(DateTimeOffset AppliedAt, string Fingerprint, AppliedInputs Inputs);
