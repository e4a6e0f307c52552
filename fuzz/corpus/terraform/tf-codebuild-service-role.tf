# aws_codebuild_project.service_role passes a role to CodeBuild; this role was copied from the
# pipeline's and trusts CodePipeline: PR001 at service_role.
resource "aws_iam_role" "build" {
  name = "build"
  path = "/app/"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Action    = "sts:AssumeRole"
      Principal = { Service = "codepipeline.amazonaws.com" }
    }]
  })
}

resource "aws_codebuild_project" "build" {
  name         = "build"
  service_role = aws_iam_role.build.arn
  artifacts {
    type = "NO_ARTIFACTS"
  }
  environment {
    compute_type = "BUILD_GENERAL1_SMALL"
    image        = "aws/codebuild/standard:7.0"
    type         = "LINUX_CONTAINER"
  }
  source {
    type = "NO_SOURCE"
  }
}
