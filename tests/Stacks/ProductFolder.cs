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

        GluePipeline.Repository.ProductFiles.CopyTree(RepositoryRoot.Path, _dir.Path);
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
