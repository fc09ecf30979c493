namespace DataPlatform.Build.Frosting;

/// <summary>
/// Like Cake.Frosting's IFrostingLifetime: the one place for what must happen once around a run that executes tasks
/// (checks before the first change, process-wide settings, the run lock). Not called for --help, --tree,
/// --description or --dryrun, which change nothing.
/// </summary>
internal interface IFrostingLifetime<in TContext>
{
    /// <param name="tasks">The tasks this run will execute, in order.</param>
    Task SetupAsync(TContext context, IReadOnlyList<string> tasks);

    /// <summary>Undoes what <see cref="SetupAsync"/> did, also when it stopped half-way.</summary>
    void Teardown(TContext context);
}
