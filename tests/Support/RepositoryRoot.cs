namespace GluePipeline.Tests.Support;

/// <summary>Finds this repository's root (where cake.config is) from the test assembly's location.</summary>
public static class RepositoryRoot
{
    public static string Path { get; } = Find();

    private static string Find()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(System.IO.Path.Combine(dir.FullName, "cake.config")) &&
                File.Exists(System.IO.Path.Combine(dir.FullName, "Pipeline.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("The repository root (cake.config + Pipeline.sln) was not found above " + AppContext.BaseDirectory);
    }
}
