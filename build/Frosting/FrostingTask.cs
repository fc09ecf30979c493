using Cake.Core;

namespace DataPlatform.Build.Frosting;

/// <summary>Mirror of Cake.Frosting's AsyncFrostingTask: override what you need, the host wires it into Cake's engine.</summary>
internal abstract class FrostingTask<TContext> where TContext : IFrostingContext
{
    public virtual Task RunAsync(TContext context) => Task.CompletedTask;

    public virtual bool ShouldRun(TContext context) => true;
}

/// <summary>
/// A context the host can hand to tasks. A step whose decision later steps need sets it as a typed property of the
/// context itself, so what a step reads is named where it is read.
/// </summary>
internal interface IFrostingContext : ICakeContext;
