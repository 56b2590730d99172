using GluePipeline.Build.Hosting;
using GluePipeline.Tests.Support;

namespace GluePipeline.Tests.Hosting;

/// <summary>The Frosting-style host on Cake's engine, driven in-process with recording tasks.</summary>
public sealed class CakeHostTests : IDisposable
{
    private readonly TempDirectory _root = new("host");
    private readonly Recorder _recorder = new();

    public void Dispose() => _root.Dispose();

    private Task<HostRunResult> Run(params string[] args) => Run(CancellationToken.None, args);

    private Task<HostRunResult> Run(CancellationToken cancellationToken, params string[] args)
    {
        _recorder.MakeCurrent();
        return HostRun.RunAsync(RecordingHost.Create(), _root.Path, args, cancellationToken);
    }

    private string[] Events => [.. _recorder.Events];

    public sealed class Discovery : IDisposable
    {
        private readonly CakeHostTests _t = new();

        public void Dispose() => _t.Dispose();

        [Fact]
        public async Task Finds_task_classes_by_their_TaskName_and_lists_their_descriptions()
        {
            var result = await _t.Run("--description");

            result.ExitCode.Should().Be(0, result.ToString());
            result.Output.Should().Contain("First").And.Contain("Records and registers a resource for teardown.");
            result.Output.Should().Contain("AfterFailing").And.Contain("Slow");
        }

        [Fact]
        public async Task Prints_the_dependency_tree()
        {
            var result = await _t.Run("--tree");

            result.ExitCode.Should().Be(0, result.ToString());
            result.Output.Should().MatchRegex(@"Third\s*\n\s*└─Second\s*\n\s*└─First");
            _t.Events.Should().BeEmpty("--tree runs nothing");
        }

        [Fact]
        public async Task A_dry_run_lists_the_plan_in_order_and_runs_nothing()
        {
            var result = await _t.Run("--dryrun", "--target=Third");

            result.ExitCode.Should().Be(0, result.ToString());
            result.Output.Should().MatchRegex(@"1\. First\s+2\. Second\s+3\. Third");
            _t.Events.Where(e => e.EndsWith(".Run", StringComparison.Ordinal)).Should().BeEmpty();
        }

        [Fact]
        public async Task Help_lists_targets_and_switches()
        {
            var result = await _t.Run("--help");

            result.ExitCode.Should().Be(0);
            result.Output.Should().Contain("--target=<name>").And.Contain("--fail-context").And.Contain("Third");
        }
    }

    public sealed class Execution : IDisposable
    {
        private readonly CakeHostTests _t = new();

        public void Dispose() => _t.Dispose();

        [Fact]
        public async Task Runs_dependencies_first_in_order_then_setup_teardown_and_the_summary()
        {
            var result = await _t.Run("--target=Third");

            result.ExitCode.Should().Be(0, result.ToString());
            _t.Events.Should().Equal("Setup", "First.Run", "Second.Run", "Third.Run", "Teardown(success)", "Teardown resource:first");
            result.Output.Should().Contain("Task").And.Contain("Duration").And.MatchRegex(@"Third\s+00:00:");
        }

        [Fact]
        public async Task Target_names_are_case_insensitive()
        {
            var result = await _t.Run("--target", "third");

            result.ExitCode.Should().Be(0, result.ToString());
            _t.Events.Should().Contain("Third.Run");
        }

        [Fact]
        public async Task Exclusive_runs_the_target_without_its_dependencies()
        {
            var result = await _t.Run("--target=Third", "--exclusive");

            result.ExitCode.Should().Be(0, result.ToString());
            _t.Events.Should().Contain("Third.Run").And.NotContain("First.Run").And.NotContain("Second.Run");
        }

        [Fact]
        public async Task A_throwing_task_runs_OnError_and_Finally_stops_the_chain_tears_down_and_exits_1()
        {
            var result = await _t.Run("--target=AfterFailing");

            result.ExitCode.Should().Be(ExitCodes.Failure, result.ToString());
            _t.Events.Should().Equal(
                "Setup",
                "First.Run",
                "Failing.Run",
                "Failing.OnError:boom from Failing",
                "Failing.Finally",
                "Teardown(failure)",
                "Teardown resource:first");
            result.Error.Should().Contain("boom from Failing");
            result.Error.Should().NotContain("   at ", "no stack frames at normal verbosity");
            result.Output.Should().MatchRegex(@"Failing\s+00:00:\S+\s+Failed", "the failure's summary table is still printed");
        }

        [Fact]
        public async Task Diagnostic_verbosity_adds_the_stack_trace()
        {
            var result = await _t.Run("--target=Failing", "--verbosity=diagnostic");

            result.ExitCode.Should().Be(ExitCodes.Failure);
            (result.Output + result.Error).Should().Contain("   at ");
        }

        [Fact]
        public async Task An_OnError_that_does_not_rethrow_handles_the_error_as_in_Frosting()
        {
            var result = await _t.Run("--target=Swallowing");

            result.ExitCode.Should().Be(0, result.ToString());
            _t.Events.Should().Contain("Swallowing.OnError");
        }

        [Fact]
        public async Task A_task_sets_its_own_exit_code_and_the_host_passes_it_through()
        {
            var result = await _t.Run("--target=ExitSeven");

            result.ExitCode.Should().Be(7, result.ToString());
            result.Error.Should().Contain("seven it is");
        }

        [Fact]
        public async Task A_user_input_mistake_prints_the_shared_error_shape_and_exits_2()
        {
            var result = await _t.Run("--target=BadInput");

            result.ExitCode.Should().Be(ExitCodes.UsageOrInput, result.ToString());
            result.Error.Should().Contain("jobs/x/job.yaml:4:7: error SPEC-FIELD: Unknown field 'sourcs'. Fix: did you mean 'sources'?");
            result.Error.Should().NotContain("   at ");
        }

        [Fact]
        public async Task A_dependency_whose_ShouldRun_is_false_is_reported_skipped_and_the_chain_goes_on()
        {
            var result = await _t.Run("--target=AfterSkipped");

            result.ExitCode.Should().Be(0, result.ToString());
            _t.Events.Should().Contain("AfterSkipped.Run").And.NotContain("Skipped.Run");
            result.Output.Should().MatchRegex(@"Skipped\s+-\s+Skipped");
        }

        [Fact]
        public async Task A_target_whose_ShouldRun_is_false_is_skipped_with_its_reason_not_failed()
        {
            // Cake fails a target its criteria skip; the contract (PromoteToProduction when not
            // approved) is that a skipped target is an outcome, not an error.
            var result = await _t.Run("--target=Skipped");

            result.ExitCode.Should().Be(0, result.ToString());
            result.Output.Should().Contain("Skipped: Skipped: its condition is not met");
        }

        [Fact]
        public async Task A_failing_teardown_action_does_not_stop_the_others_and_fails_the_run_naming_what_was_left()
        {
            var result = await _t.Run("--target=LeakyTeardown");

            result.ExitCode.Should().Be(ExitCodes.Failure, result.ToString());
            _t.Events.Should().Contain("Teardown stack:fine");
            result.Error.Should().Contain("stack:leaky").And.Contain("Sweep");
        }
    }

    public sealed class Cancellation : IDisposable
    {
        private readonly CakeHostTests _t = new();

        public void Dispose() => _t.Dispose();

        [Fact]
        public async Task Ctrl_C_cancels_the_running_task_runs_Finally_and_teardown_starts_nothing_new_and_exits_130()
        {
            using var cts = new CancellationTokenSource();
            var run = _t.Run(cts.Token, "--target=AfterSlow");
            await _t._recorder.SlowTaskStarted.Task.WaitAsync(TimeSpan.FromSeconds(30));

            cts.Cancel();
            var result = await run.WaitAsync(TimeSpan.FromSeconds(30));

            result.ExitCode.Should().Be(ExitCodes.Cancelled, result.ToString());
            _t.Events.Should().Equal(
                "Setup",
                "First.Run",
                "Slow.Started",
                "Slow.Finally",
                "Teardown(failure)",
                "Teardown resource:first");
            result.Error.Should().Contain("Cancelled");
        }

        [Fact]
        public async Task A_run_cancelled_before_it_starts_runs_no_task()
        {
            using var cts = new CancellationTokenSource();
            cts.Cancel();

            var result = await _t.Run(cts.Token, "--target=Third");

            result.ExitCode.Should().Be(ExitCodes.Cancelled, result.ToString());
            _t.Events.Should().NotContain(e => e.EndsWith(".Run", StringComparison.Ordinal));
        }
    }

    public sealed class Arguments : IDisposable
    {
        private readonly CakeHostTests _t = new();

        public void Dispose() => _t.Dispose();

        [Fact]
        public async Task An_unknown_target_lists_the_targets_and_suggests_the_closest()
        {
            var result = await _t.Run("--target=Thrid");

            result.ExitCode.Should().Be(ExitCodes.UsageOrInput);
            result.Error.Should().Contain("--target=Thrid: error ARG-TARGET: Unknown target 'Thrid'");
            result.Error.Should().Contain("did you mean --target=Third?");
            result.Error.Should().Contain("AfterFailing, AfterSkipped, AfterSlow");
            _t.Events.Should().BeEmpty();
        }

        [Fact]
        public async Task An_unknown_switch_is_an_error_with_a_suggestion()
        {
            var result = await _t.Run("--targte=Third");

            result.ExitCode.Should().Be(ExitCodes.UsageOrInput);
            result.Error.Should().Contain("Unknown switch '--targte=Third'").And.Contain("did you mean --target?");
        }

        [Theory]
        [InlineData("Third", "to run a target, write --target=Third")]
        [InlineData("target=Third", "switches start with two dashes")]
        public async Task A_positional_argument_is_an_error_that_says_what_was_meant(string argument, string fix)
        {
            var result = await _t.Run(argument);

            result.ExitCode.Should().Be(ExitCodes.UsageOrInput);
            result.Error.Should().Contain(fix);
        }

        [Fact]
        public async Task A_switch_without_its_value_is_an_error()
        {
            var result = await _t.Run("--target");

            result.ExitCode.Should().Be(ExitCodes.UsageOrInput);
            result.Error.Should().Contain("--target needs a value");
        }

        [Fact]
        public async Task A_switch_given_twice_is_an_error()
        {
            var result = await _t.Run("--target=First", "--target=Second");

            result.ExitCode.Should().Be(ExitCodes.UsageOrInput);
            result.Error.Should().Contain("more than once");
        }

        [Fact]
        public async Task An_unknown_verbosity_is_an_error()
        {
            var result = await _t.Run("--verbosity=loud");

            result.ExitCode.Should().Be(ExitCodes.UsageOrInput);
            result.Error.Should().Contain("quiet, minimal, normal, verbose or diagnostic");
        }

        [Fact]
        public async Task A_context_that_refuses_its_arguments_stops_the_run_before_any_task()
        {
            var result = await _t.Run("--target=First", "--fail-context");

            result.ExitCode.Should().Be(ExitCodes.UsageOrInput, result.ToString());
            result.Error.Should().Contain("error ARG-TEST");
            _t.Events.Should().BeEmpty();
        }

        [Fact]
        public async Task Cake_configuration_overrides_pass_through()
        {
            var result = await _t.Run("--target=First", "--settings_showprocesscommandline=true");

            result.ExitCode.Should().Be(0, result.ToString());
        }
    }
}
