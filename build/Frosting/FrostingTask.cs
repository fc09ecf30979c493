using Cake.Core;

namespace DataPlatform.Build.Frosting;

/// <summary>Mirror of Cake.Frosting's AsyncFrostingTask: override what you need, the host wires it into Cake's engine.</summary>
internal abstract class FrostingTask<TContext> where TContext : IFrostingContext
{
    public virtual Task RunAsync(TContext context) => Task.CompletedTask;

    public virtual bool ShouldRun(TContext context) => true;
}

/// <summary>
/// A task whose decision later tasks need (what CreateCluster did under --plan, the MetalLB range). It returns the
/// value; the host records it in <see cref="IFrostingContext.Results"/>, where later tasks find it.
/// </summary>
internal abstract class FrostingTask<TContext, TResult> : FrostingTask<TContext> where TContext : IFrostingContext where TResult : class
{
    public sealed override async Task RunAsync(TContext context) => context.Results.Record(await ProduceAsync(context));

    public abstract Task<TResult> ProduceAsync(TContext context);
}

/// <summary>A context that carries the values earlier tasks returned.</summary>
internal interface IFrostingContext : ICakeContext
{
    StepResults Results { get; }
}
