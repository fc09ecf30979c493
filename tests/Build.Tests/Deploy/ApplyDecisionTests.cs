using DataPlatform.Build.Deploy;

namespace DataPlatform.Build.Tests.Deploy;

/// <summary>The warm-Up decision, a pure function of (stored record, current inputs, health, --force).</summary>
public class ApplyDecisionTests
{
    static readonly DateTimeOffset Earlier = new(2026, 11, 25, 20, 15, 0, TimeSpan.Zero);
    static readonly AppliedInputs Current = Inputs(("helmfile.yaml", "aa"), ("values/minio.yaml.gotmpl", "bb"), (AppliedInputs.VariablesKey, "cc"));
    static readonly PlatformHealth Healthy = new([]);
    static readonly PlatformHealth Broken = new(["deployment minio/minio: 0/1 ready", "helm release minio/minio: revision 2 is failed"]);

    static AppliedInputs Inputs(params (string Key, string Hash)[] hashes) => new(hashes.ToDictionary(h => h.Key, h => h.Hash));
    static AppliedRecord Record(AppliedInputs inputs) => new(Earlier, inputs.Fingerprint, inputs);

    [Fact]
    public void Equal_inputs_and_a_healthy_platform_skip_the_apply_saying_since_when_and_how_to_force_it()
    {
        var decision = ApplyDecision.Decide(Record(Current), Current, Healthy, force: false);

        Assert.False(decision.Apply);
        Assert.Equal("helmfile apply skipped: inputs unchanged since 2026-11-25 20:15:00 UTC and every release deployed, every workload ready; --force to run it anyway", decision.Reason);
    }

    static readonly Dictionary<string, (AppliedRecord? Stored, PlatformHealth? Health, bool Force, string Reason)> Cases = new()
    {
        ["no record"] = (null, Healthy, false, "no record of an earlier helmfile apply"),
        ["a value changed"] = (Record(Inputs(("helmfile.yaml", "aa"), ("values/minio.yaml.gotmpl", "OLD"), (AppliedInputs.VariablesKey, "cc"))), Healthy, false,
          "values/minio.yaml.gotmpl changed since the last apply (2026-11-25 20:15:00 UTC)"),
        ["a variable changed"] = (Record(Inputs(("helmfile.yaml", "aa"), ("values/minio.yaml.gotmpl", "bb"), (AppliedInputs.VariablesKey, "OLD"))), Healthy, false,
          AppliedInputs.VariablesKey + " changed"),
        ["a file added"] = (Record(Inputs(("helmfile.yaml", "aa"), (AppliedInputs.VariablesKey, "cc"))), Healthy, false, "values/minio.yaml.gotmpl changed"),
        ["unhealthy"] = (Record(Current), Broken, false, "not healthy (deployment minio/minio: 0/1 ready, and 1 more)"),
        ["health unknown"] = (Record(Current), null, false, "health was not checked"),
        ["forced"] = (Record(Current), Healthy, true, "--force"),
    };

    public static TheoryData<string> Applies => new(Cases.Keys);

    [Theory]
    [MemberData(nameof(Applies))]
    public void Anything_but_equal_inputs_on_a_healthy_platform_runs_the_apply_and_says_why(string name)
    {
        var (stored, health, force, reason) = Cases[name];

        var decision = ApplyDecision.Decide(stored, Current, health, force);

        Assert.True(decision.Apply);
        Assert.Contains(reason, decision.Reason);
    }

    [Fact]
    public void The_health_check_runs_only_when_its_answer_can_change_the_decision()
    {
        Assert.True(ApplyDecision.NeedsHealthCheck(Record(Current), Current, force: false));
        Assert.False(ApplyDecision.NeedsHealthCheck(Record(Current), Current, force: true));
        Assert.False(ApplyDecision.NeedsHealthCheck(null, Current, force: false));
        Assert.False(ApplyDecision.NeedsHealthCheck(Record(Inputs(("helmfile.yaml", "zz"))), Current, force: false));
    }

    [Fact]
    public void Many_changes_name_the_first_three_and_count_the_rest()
    {
        var stored = Record(Inputs(("a", "1"), ("b", "1"), ("c", "1"), ("d", "1"), ("e", "1")));

        var decision = ApplyDecision.Decide(stored, Inputs(("a", "2"), ("b", "2"), ("c", "2"), ("d", "2"), ("e", "2")), Healthy, force: false);

        Assert.Contains("a, b, c and 2 more changed", decision.Reason);
    }
}
