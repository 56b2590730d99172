using Cake.Core;

namespace GluePipeline.Build.Hosting;

/// <summary>Setup before the first task and teardown after the last (as in Cake.Frosting).</summary>
public interface IFrostingLifetime
{
    /// <summary>Runs before the first task.</summary>
    void Setup(ICakeContext context, ISetupContext info);

    /// <summary>Runs after the last task, whether the run succeeded, failed or was cancelled.</summary>
    void Teardown(ICakeContext context, ITeardownContext info);
}

/// <summary>Base class of a lifetime with a typed context (as in Cake.Frosting).</summary>
/// <typeparam name="TContext">The context type.</typeparam>
public abstract class FrostingLifetime<TContext> : IFrostingLifetime
    where TContext : ICakeContext
{
    /// <summary>Runs before the first task.</summary>
    public abstract void Setup(TContext context, ISetupContext info);

    /// <summary>Runs after the last task, whether the run succeeded, failed or was cancelled.</summary>
    public abstract void Teardown(TContext context, ITeardownContext info);

    void IFrostingLifetime.Setup(ICakeContext context, ISetupContext info) => Setup((TContext)context, info);

    void IFrostingLifetime.Teardown(ICakeContext context, ITeardownContext info) => Teardown((TContext)context, info);
}
