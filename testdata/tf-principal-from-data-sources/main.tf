# Service principals built from the deployment's region and partition, as modules write them to
# work in every partition: the EC2 and the regional Step Functions principals. The instance role is
# also handed to a Lambda function, which it does not trust (PR001 at line 40), besides EC2 (PR004).
data "aws_partition" "current" {}
data "aws_region" "current" {}

locals {
  region = data.aws_region.current.name
}

resource "aws_iam_role" "instance" {
  name = "instance"
  assume_role_policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = "sts:AssumeRole", Principal = { Service = "ec2.${data.aws_partition.current.dns_suffix}" } }]
  })
}

resource "aws_iam_instance_profile" "instance" {
  name = "instance"
  role = aws_iam_role.instance.name
}

resource "aws_iam_role" "workflow" {
  name = "workflow"
  assume_role_policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = "sts:AssumeRole", Principal = { Service = "states.${local.region}.amazonaws.com" } }]
  })
}

resource "aws_sfn_state_machine" "workflow" {
  name       = "workflow"
  role_arn   = aws_iam_role.workflow.arn
  definition = "{}"
}

resource "aws_lambda_function" "misuse" {
  function_name = "misuse"
  role          = aws_iam_role.instance.arn
  handler       = "index.handler"
  runtime       = "python3.12"
  filename      = "misuse.zip"
}
