# AWS Batch job definitions with their roles inside the JSON container properties: a Fargate job
# (jsonencode, job and execution roles), a heredoc job whose only role is an ARN interpolated from
# the role, and a multi-node job. Every role trusts ecs-tasks.amazonaws.com: nothing to report.
resource "aws_iam_role" "task" {
  name = "ingest-task"
  path = "/batch/"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Action    = "sts:AssumeRole"
      Principal = { Service = "ecs-tasks.amazonaws.com" }
    }]
  })
}

resource "aws_iam_role" "execution" {
  name = "ingest-execution"
  path = "/batch/"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Action    = "sts:AssumeRole"
      Principal = { Service = "ecs-tasks.amazonaws.com" }
    }]
  })
}

resource "aws_batch_job_definition" "ingest" {
  name                  = "ingest"
  type                  = "container"
  platform_capabilities = ["FARGATE"]

  container_properties = jsonencode({
    image            = "public.ecr.aws/docker/library/python:3.12"
    command          = ["python", "-m", "ingest"]
    jobRoleArn       = aws_iam_role.task.arn
    executionRoleArn = aws_iam_role.execution.arn
    fargatePlatformConfiguration = { platformVersion = "LATEST" }
    resourceRequirements = [{ type = "VCPU", value = "0.5" }, { type = "MEMORY", value = "1024" }]
  })
}

resource "aws_batch_job_definition" "compact" {
  name = "compact"
  type = "container"

  container_properties = <<-EOT
    {
      "image": "public.ecr.aws/docker/library/python:3.12",
      "vcpus": ${2},
      "memory": 2048,
      "jobRoleArn": "${aws_iam_role.task.arn}"
    }
  EOT
}

resource "aws_batch_job_definition" "train" {
  name = "train"
  type = "multinode"

  node_properties = jsonencode({
    mainNode = 0
    numNodes = 2
    nodeRangeProperties = [{
      targetNodes = "0:"
      container = {
        image      = "public.ecr.aws/docker/library/python:3.12"
        vcpus      = 4
        memory     = 8192
        jobRoleArn = aws_iam_role.task.arn
      }
    }]
  })
}
