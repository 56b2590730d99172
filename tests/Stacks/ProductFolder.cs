using GluePipeline.Tests.Support;

namespace GluePipeline.Tests.Stacks;

/// <summary>A folder laid out like the artifact (templates/, jobs/), copied from this repository, to deploy from.</summary>
public sealed class ProductFolder : IDisposable
{
    private readonly TempDirectory _dir = new("product");

    public ProductFolder(bool withRepositoryProduct = true)
    {
        if (!withRepositoryProduct)
        {
            return;
        }

        foreach (var root in new[] { "templates", "jobs" })
        {
            foreach (var file in Directory.EnumerateFiles(System.IO.Path.Combine(RepositoryRoot.Path, root), "*", SearchOption.AllDirectories))
            {
                var relative = System.IO.Path.GetRelativePath(RepositoryRoot.Path, file);
                if (!relative.Split(System.IO.Path.DirectorySeparatorChar).Any(p => p is "tests" or "__pycache__" or ".pytest_cache"))
                {
                    Write(relative, File.ReadAllText(file));
                }
            }
        }
    }

    public string Path => _dir.Path;

    public string StateRoot => System.IO.Path.Combine(_dir.Path, "..", System.IO.Path.GetFileName(_dir.Path) + "-state");

    public string Write(string relative, string content) => _dir.Write(relative, content);

    public void Dispose()
    {
        _dir.Dispose();
        if (Directory.Exists(StateRoot))
        {
            Directory.Delete(StateRoot, recursive: true);
        }
    }
}
