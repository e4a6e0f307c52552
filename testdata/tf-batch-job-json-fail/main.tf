# AWS Batch job definitions hold their container properties as a JSON document in a string. The
# job role sits inside it, written with jsonencode() in one definition and in a heredoc (older
# style) in the other. Both roles trust batch.amazonaws.com, but Batch hands job and execution
# roles to ECS tasks: PR001 at each role inside the documents.
resource "aws_iam_role" "job" {
  name = "etl-job"
  path = "/batch/"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Action    = "sts:AssumeRole"
      Principal = { Service = "batch.amazonaws.com" }
    }]
  })
}

resource "aws_batch_job_definition" "etl" {
  name = "etl"
  type = "container"
  platform_capabilities = ["FARGATE"]

  container_properties = jsonencode({
    command    = ["python", "etl.py"]
    image      = "123456789012.dkr.ecr.eu-west-1.amazonaws.com/etl:latest"
    jobRoleArn = aws_iam_role.job.arn
    resourceRequirements = [
      { type = "VCPU", value = "1" },
      { type = "MEMORY", value = "2048" },
    ]
  })
}

resource "aws_batch_job_definition" "report" {
  name = "report"
  type = "container"

  container_properties = <<CONTAINER_PROPERTIES
{
  "command": ["python", "report.py"],
  "image": "123456789012.dkr.ecr.eu-west-1.amazonaws.com/report:latest",
  "memory": 1024,
  "vcpus": 1,
  "jobRoleArn": "${aws_iam_role.job.arn}"
}
CONTAINER_PROPERTIES
}
