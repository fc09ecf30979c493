using Cake.Core;

namespace DataPlatform.Build.Frosting;

/// <summary>Mirror of Cake.Frosting's AsyncFrostingTask: override what you need, the host wires it into Cake's engine.</summary>
public abstract class FrostingTask<TContext> where TContext : ICakeContext
{
    public virtual Task RunAsync(TContext context) => Task.CompletedTask;

    public virtual bool ShouldRun(TContext context) => true;

    public virtual void OnError(Exception exception, TContext context) { }

    public virtual void Finally(TContext context) { }
}
